# The dream explorer's "what the network sees" mode: each chosen layer key drawn from noise
# by visualize(), small and with fewer steps than visualize()'s defaults so that it takes
# seconds, shown as one labelled sheet. app_visualize_arguments() turns the controls into
# visualize()'s arguments and app_visualize_code() prints the call.

# The mode's controls when the app starts: a picture's side and the steps.
app_visualize_defaults <- function() {
  list(size = 224L, iterations = 128L)
}

# The mode's controls, shown under the layers in "what the network sees" mode.
app_visualize_panel <- function() {
  tags <- shiny::tags
  defaults <- app_visualize_defaults()
  shiny::conditionalPanel(
    "input.mode == 'visualize'",
    tags$h4("What the network sees"),
    tags$p(class = "help-block", paste(
      "Each layer key above is drawn from faint noise: a picture optimised until that layer",
      "or channel responds to it strongly (the photo, the coefficients and the octave",
      "settings are not used; the seed is)."
    )),
    shiny::fluidRow(
      shiny::column(6, shiny::numericInput("visual_size", "Picture size (pixels)",
                                           defaults$size, min = 80, max = 1024, step = 16,
                                           width = "100%")),
      shiny::column(6, shiny::numericInput("visual_iterations", "Steps", defaults$iterations,
                                           min = 0, max = 4096, step = 16, width = "100%"))
    )
  )
}

# The sheet, full width, its download and its code, shown in that mode.
app_visualize_view <- function() {
  tags <- shiny::tags
  shiny::conditionalPanel(
    "input.mode == 'visualize'",
    tags$h5("What the network sees"),
    shiny::uiOutput("visual_view"),
    tags$div(
      class = "dream-actions",
      shiny::downloadButton("download_visual", "Download PNG"),
      shiny::actionButton("copy_visual_code", "Copy the R code", icon = shiny::icon("copy"),
                          onclick = "deepdreamCopy('visual_code', 'copy_visual_code')")
    ),
    tags$h5("The same pictures in R"),
    shiny::verbatimTextOutput("visual_code")
  )
}

# The controls -> visualize()'s arguments (the keys as a list, so that even one picture
# gets its label on the sheet), checked by visualize()'s own checks; a bad field stops here
# with its one-line message. `options`: list(keys, size, iterations, seed) as the inputs
# hold them (an emptied field is NA).
app_visualize_arguments <- function(options, weights) {
  keys <- as.character(unlist(options$keys))
  if (!length(keys)) {
    abort_argument("Choose at least one layer key to see, e.g. mixed4 or mixed4:97.")
  }
  seed <- options$seed
  if (length(seed) == 1L && is.na(seed)) seed <- NULL
  arguments <- list(objective = as.list(keys), size = options$size,
                    iterations = options$iterations, seed = seed)
  # the weights were checked by dream_app()
  do.call(visualize_arguments, arguments)
  c(arguments, list(weights = weights))
}

# The visualize() call that draws the pictures the app drew.
app_visualize_code <- function(arguments) {
  keys <- as.character(unlist(arguments$objective))
  objective <- if (length(keys) == 1L) {
    deparse_value(keys)
  } else {
    paste0("c(", paste(vapply(keys, deparse_value, character(1)), collapse = ", "), ")")
  }
  shown <- c(objective,
             paste0("size = ", deparse_value(arguments$size, whole = TRUE)),
             paste0("iterations = ", deparse_value(arguments$iterations, whole = TRUE)))
  if (!is.null(arguments$seed)) {
    shown <- c(shown, paste0("seed = ", deparse_value(arguments$seed, whole = TRUE)))
  }
  if (!identical(arguments$weights, "imagenet")) {
    shown <- c(shown, paste0("weights = ", deparse_value(arguments$weights)))
  }
  paste(c("library(deepdream)", "seen <- visualize(", app_argument_lines(shown), ")",
          "plot(seen)"), collapse = "\n")
}

# ---------------------------------------------------------------------------------------
# The mode's server part. `context` holds what it shares with app_server() (as for the
# zoom: state, worker, owner, weights, new_file(), url_of(), show_message(), set_busy()).
# Returns start(), which app_server() calls when Dream is pressed in this mode.
app_visualize_server <- function(input, output, session, context) {
  visual <- shiny::reactiveValues(result = NULL)
  # after the zoom mode's own relabelling of the button (priority 0)
  shiny::observeEvent(input$mode, {
    if (identical(input$mode, "visualize")) {
      shiny::updateActionButton(session, "dream", label = "Draw what it sees")
    }
  }, ignoreInit = TRUE, priority = -1)
  app_visualize_outputs(output, visual, context)

  function() {
    options <- list(keys = input$layers, size = input$visual_size,
                    iterations = input$visual_iterations, seed = input$seed)
    arguments <- tryCatch(app_visualize_arguments(options, context$weights),
                          error = function(e) e)
    if (inherits(arguments, "error")) {
      context$show_message(conditionMessage(arguments))
      return(invisible())
    }
    app_run_visualize(session, context, visual, arguments)
  }
}

# Submit the pictures to the worker: a progress bar counting steps, the sheet and its code
# at the end.
app_run_visualize <- function(session, context, visual, arguments) {
  state <- context$state
  code <- app_visualize_code(arguments)
  args <- list(visualize = arguments, output = context$new_file("seen"),
               progress = context$new_file("progress", ".txt"),
               cancel = context$new_file("cancel", ".txt"))
  context$set_busy(TRUE, "visualize")
  state$message <- NULL
  state$progress <- "Drawing what the network sees..."
  bar <- shiny::Progress$new(session, min = 0, max = max(1, arguments$iterations))
  bar$set(message = "Drawing from noise", value = 0)
  started <- Sys.time()
  context$worker$submit(
    context$owner, "visualize", args,
    on_done = function(result) {
      context$set_busy(FALSE)
      bar$close()
      state$progress <- ""
      if (!isTRUE(result$ok)) {
        context$show_message(result$message)
        return()
      }
      value <- result$value
      if (isTRUE(value$cancelled)) {
        context$show_message(sprintf("Drawing cancelled after %d of %d steps.", value$steps,
                                     as.integer(arguments$iterations)), "warning")
        return()
      }
      visual$result <- list(file = value$output, code = code, labels = value$labels)
      state$progress <- sprintf("Drawn in %.1f s (%d steps, %d picture%s).", value$seconds,
                                value$steps, length(value$labels),
                                if (length(value$labels) == 1L) "" else "s")
    },
    on_progress = function(line) {
      parts <- suppressWarnings(as.integer(strsplit(line, " ", fixed = TRUE)[[1]]))
      if (length(parts) < 2L || anyNA(parts[1:2])) {
        return()
      }
      bar$set(value = parts[[1]], detail = sprintf("step %d of %d", parts[[1]], parts[[2]]))
      state$progress <- sprintf("Drawing from noise: step %d of %d (%.0f s)", parts[[1]],
                                parts[[2]], as.numeric(difftime(Sys.time(), started,
                                                                units = "secs")))
    },
    cancel_file = args$cancel
  )
}

app_visualize_outputs <- function(output, visual, context) {
  output$visual_view <- shiny::renderUI({
    result <- visual$result
    if (is.null(result)) {
      return(shiny::tags$p(class = "text-muted", "Press Draw what it sees."))
    }
    shiny::tagList(
      shiny::tags$img(id = "visual-img", src = context$url_of(result$file),
                      alt = paste("what the network sees:", paste(result$labels, collapse = ", "))),
      shiny::tags$small(class = "text-muted", paste(result$labels, collapse = ", "))
    )
  })
  output$visual_code <- shiny::renderText({
    result <- visual$result
    if (is.null(result)) "# The call appears here after the pictures are drawn." else result$code
  })
  output$download_visual <- shiny::downloadHandler(
    filename = function() "what-the-network-sees.png",
    content = function(file) {
      shiny::req(visual$result)
      file.copy(visual$result$file, file, overwrite = TRUE)
    },
    contentType = "image/png"
  )
}
