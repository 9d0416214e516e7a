# The dream explorer's zoom mode: a short dream_zoom() animation of the photo, driven by a
# small table of keyframes (frame, zoom, rotate, translate x and y). The table's rows live
# in the server (each with a fixed id, so that the inputs of a row keep their names when
# rows are added or removed); app_zoom_arguments() turns the rows into dream_zoom()'s
# arguments, and app_zoom_code() prints the call.

# The keyframe table's columns: input name -> heading, and the step of each field.
app_keyframe_columns <- c(frame = "Frame", zoom = "Zoom", rotate = "Rotate (\u00b0)",
                          translate_x = "Move x (px)", translate_y = "Move y (px)")
app_keyframe_steps <- c(frame = 1, zoom = 0.01, rotate = 0.5, translate_x = 1, translate_y = 1)

# The app's limit on frames: the zoom is dreamed while the page waits.
app_max_zoom_frames <- 1000L

# The zoom controls' starting values.
app_zoom_defaults <- function() {
  list(frames = 12L, fps = 12, interpolations = c("linear", "smooth"),
       loops = c("none" = "none", "ping-pong (forward, then back)" = "pingpong",
                 "seamless (the end fades into the start)" = "seamless"))
}

# The table when the app starts: one keyframe, dream_zoom()'s defaults.
app_keyframe_rows <- function() {
  data.frame(id = 1L, frame = 0, zoom = 1.05, rotate = 0, translate_x = 0, translate_y = 0)
}

app_keyframe_id <- function(row_id, column) sprintf("keyframe_%d_%s", row_id, column)

# The zoom's controls, shown in zoom mode under the dream's settings.
app_zoom_panel <- function() {
  tags <- shiny::tags
  defaults <- app_zoom_defaults()
  shiny::conditionalPanel(
    "input.mode == 'zoom'",
    tags$h4("Zoom animation"),
    tags$p(class = "help-block",
           paste("Frame 0 is the dream of the photo; each next frame is the previous one",
                 "zoomed, turned and moved as the keyframes say, then dreamed again with the",
                 "settings above (a few steps per octave are enough).")),
    shiny::fluidRow(
      shiny::column(6, shiny::numericInput("zoom_frames", "Frames", defaults$frames, min = 1,
                                           max = app_max_zoom_frames, step = 1, width = "100%")),
      shiny::column(6, shiny::numericInput("zoom_fps", "Frames per second", defaults$fps,
                                           min = 1, max = 60, step = 1, width = "100%"))
    ),
    tags$label("Keyframes (numbers per frame; between keyframes they are interpolated)"),
    shiny::uiOutput("keyframes"),
    shiny::actionButton("keyframe_add", "Add keyframe", icon = shiny::icon("plus"),
                        class = "btn-sm"),
    shiny::fluidRow(
      shiny::column(6, shiny::radioButtons("zoom_interpolation", "Between keyframes",
                                           defaults$interpolations, inline = TRUE)),
      shiny::column(6, shiny::selectInput("zoom_loop", "Loop", defaults$loops, width = "100%"))
    ),
    shiny::checkboxInput("zoom_color_lock",
                         "Colour lock: keep every frame's colours to the first frame's", FALSE)
  )
}

# The keyframe table: a row of numeric fields per keyframe and a button that removes it.
app_keyframe_table <- function(rows) {
  tags <- shiny::tags
  header <- tags$tr(lapply(unname(app_keyframe_columns), tags$th), tags$th(""))
  body <- lapply(seq_len(nrow(rows)), function(i) {
    row_id <- rows$id[[i]]
    cells <- lapply(names(app_keyframe_columns), function(column) {
      tags$td(shiny::numericInput(app_keyframe_id(row_id, column), NULL, rows[[column]][[i]],
                                  step = app_keyframe_steps[[column]], width = "100%"))
    })
    remove <- tags$button(
      type = "button", class = "btn btn-default btn-xs keyframe-remove",
      id = app_keyframe_id(row_id, "remove"), title = "Remove this keyframe",
      onclick = sprintf("Shiny.setInputValue('keyframe_remove', %d, {priority: 'event'})",
                        row_id),
      "remove"
    )
    tags$tr(cells, tags$td(remove))
  })
  tags$table(id = "keyframe-table", class = "table table-condensed keyframes",
             tags$thead(header), tags$tbody(body))
}

# The zoom beside the photo, its download and its code, shown in zoom mode.
app_zoom_view <- function() {
  shiny::conditionalPanel(
    "input.mode == 'zoom'",
    shiny::tags$h5("Zoom"),
    shiny::uiOutput("zoom_view")
  )
}

app_zoom_actions <- function() {
  tags <- shiny::tags
  shiny::conditionalPanel(
    "input.mode == 'zoom'",
    tags$div(
      class = "dream-actions",
      shiny::downloadButton("download_zoom", "Download GIF"),
      shiny::actionButton("copy_zoom_code", "Copy the R code", icon = shiny::icon("copy"),
                          onclick = "deepdreamCopy('zoom_code', 'copy_zoom_code')")
    ),
    tags$h5("The same zoom in R"),
    shiny::verbatimTextOutput("zoom_code")
  )
}

# The table's rows with the values the fields hold now (a field not sent yet keeps the
# row's value; an emptied field is NA).
app_read_keyframes <- function(input, rows) {
  sent <- names(input)
  for (column in names(app_keyframe_columns)) {
    rows[[column]] <- vapply(seq_len(nrow(rows)), function(i) {
      id <- app_keyframe_id(rows$id[[i]], column)
      if (!id %in% sent) {
        return(as.double(rows[[column]][[i]]))
      }
      value <- input[[id]]
      if (is.numeric(value) && length(value) == 1L) as.double(value) else NA_real_
    }, double(1))
  }
  rows
}

# A new keyframe: at the last frame if the table ends before it (else one frame after the
# table's last keyframe), with the values of the table's last keyframe.
app_add_keyframe <- function(rows, frames, row_id) {
  frames <- suppressWarnings(as.integer(frames %||% NA))
  known <- which(!is.na(rows$frame))
  source <- if (length(known)) known[which.max(rows$frame[known])] else nrow(rows)
  last <- if (length(known)) rows$frame[[source]] else 0
  added <- rows[source, , drop = FALSE]
  added$id <- as.integer(row_id)
  added$frame <- if (length(frames) == 1L && !is.na(frames) && last < frames - 1L) {
    frames - 1
  } else {
    last + 1
  }
  rows <- rbind(rows, added)
  rownames(rows) <- NULL
  rows
}

# The zoom controls -> dream_zoom()'s arguments (frames, fps, zoom, rotate, translate,
# interpolation, color_lock, loop); a bad field stops here with a one-line message, the
# keyframes' values with dream_zoom()'s own checks.
# `options`: list(frames, fps, interpolation, color_lock, loop) as the inputs hold them.
app_zoom_arguments <- function(options, rows) {
  keyframes <- app_zoom_keyframes(rows, options$frames)
  for (name in names(keyframes)) {
    check_frame_count(check_keyframed(keyframes[[name]], name), name, options$frames)
  }
  list(
    frames = as.integer(options$frames),
    zoom = keyframes$zoom,
    rotate = keyframes$rotate,
    translate = keyframes$translate,
    fps = check_fps(options$fps),
    interpolation = check_choice(options$interpolation %||% "linear", "interpolation",
                                 app_zoom_defaults()$interpolations),
    color_lock = isTRUE(options$color_lock),
    loop = if (options$loop %in% c("pingpong", "seamless")) options$loop else NULL
  )
}

# The keyframe table -> zoom, rotate and translate in dream_zoom()'s R forms: a constant
# where every keyframe has the same value, else keyframes named by frame number,
# c("0" = 1.02, "24" = 1.1), and for translate a list of (x, y) pairs,
# list("0" = c(0, 0), "24" = c(4, 0)).
app_zoom_keyframes <- function(rows, frames) {
  frames <- check_whole(frames, "frames", min = 1, max = app_max_zoom_frames)
  app_check_keyframes(rows, frames)
  rows <- rows[order(rows$frame), , drop = FALSE]
  keys <- format(rows$frame, scientific = FALSE, trim = TRUE)
  one_or_keyframes <- function(values) {
    if (all(values == values[[1]])) values[[1]] else stats::setNames(values, keys)
  }
  pairs <- unname(Map(c, rows$translate_x, rows$translate_y))
  translate <- if (length(unique(pairs)) == 1L) pairs[[1]] else stats::setNames(pairs, keys)
  list(zoom = one_or_keyframes(rows$zoom), rotate = one_or_keyframes(rows$rotate),
       translate = translate)
}

# Every field a number, frames whole, within 0..frames-1 and each at most once.
app_check_keyframes <- function(rows, frames) {
  if (!nrow(rows)) {
    abort_argument("The zoom needs one keyframe at least.")
  }
  for (i in seq_len(nrow(rows))) {
    for (column in names(app_keyframe_columns)) {
      if (!is.finite(rows[[column]][[i]])) {
        abort_argument(sprintf("Keyframe row %d: \"%s\" is empty; give it a number.", i,
                               app_keyframe_columns[[column]]))
      }
    }
    frame <- rows$frame[[i]]
    if (frame != round(frame) || frame < 0) {
      abort_argument(sprintf(
        "Keyframe row %d: the frame must be a whole number from 0 (the first frame), not %s.",
        i, format(frame)
      ))
    }
    if (frame > frames - 1) {
      abort_argument(sprintf("The keyframe at frame %s is past the last frame (%d) of %d frames.",
                             format(frame), frames - 1L, frames))
    }
  }
  twice <- rows$frame[duplicated(rows$frame)]
  if (length(twice)) {
    abort_argument(sprintf("Two keyframes are at frame %s: remove one or give it another frame.",
                           format(twice[[1]])))
  }
}

# The dream_zoom() call that makes the zoom the app made.
app_zoom_code <- function(photo, settings, zoom, weights) {
  arguments <- c("photo", "\"zoom.gif\"", sprintf("frames = %dL", zoom$frames),
                 paste0("zoom = ", deparse_keyframes(zoom$zoom)))
  if (length(zoom$rotate) > 1L || zoom$rotate != 0) {
    arguments <- c(arguments, paste0("rotate = ", deparse_keyframes(zoom$rotate)))
  }
  if (is.list(zoom$translate) || any(zoom$translate != 0)) {
    arguments <- c(arguments, paste0("translate = ", deparse_keyframes(zoom$translate)))
  }
  if (zoom$fps != 12) {
    arguments <- c(arguments, paste0("fps = ", deparse_value(zoom$fps)))
  }
  if (zoom$interpolation != "linear") {
    arguments <- c(arguments, paste0("interpolation = ", deparse_value(zoom$interpolation)))
  }
  if (isTRUE(zoom$color_lock)) {
    arguments <- c(arguments, "color_lock = TRUE")
  }
  if (!is.null(zoom$loop)) {
    arguments <- c(arguments, paste0("loop = ", deparse_value(zoom$loop)))
  }
  arguments <- c(arguments, app_dream_arguments(settings, weights))
  paste(c(app_photo_lines(photo), "dream_zoom(", app_argument_lines(arguments), ")"),
        collapse = "\n")
}

# A constant, a pair, keyframes c("0" = 1.02, "24" = 1.1) or pairs by frame
# list("0" = c(0, 0), "24" = c(4, 0)) as R code.
deparse_keyframes <- function(value) {
  numbers <- function(x) paste(vapply(x, deparse_value, character(1)), collapse = ", ")
  keys <- names(value)
  if (is.list(value)) {
    return(paste0("list(", paste0("\"", keys, "\" = c(", vapply(value, numbers, ""), ")",
                                  collapse = ", "), ")"))
  }
  if (!is.null(keys)) {
    return(paste0("c(", paste0("\"", keys, "\" = ", vapply(value, deparse_value, ""),
                               collapse = ", "), ")"))
  }
  if (length(value) > 1L) paste0("c(", numbers(value), ")") else deparse_value(value)
}

# ---------------------------------------------------------------------------------------
# The zoom mode's server part. `context` holds what it shares with app_server(): state,
# worker, owner, weights, new_file(), url_of(), show_message() and set_busy(). Returns
# start(photo, settings), which app_server() calls when Dream is pressed in zoom mode.
app_zoom_server <- function(input, output, session, context) {
  state <- context$state
  zoom <- shiny::reactiveValues(result = NULL, preview = NULL)
  rows <- shiny::reactiveVal(app_keyframe_rows())
  ids <- new.env(parent = emptyenv())
  ids$last <- 1L

  output$keyframes <- shiny::renderUI(app_keyframe_table(rows()))
  shiny::observeEvent(input$keyframe_add, {
    ids$last <- ids$last + 1L
    rows(app_add_keyframe(app_read_keyframes(input, rows()), input$zoom_frames, ids$last))
  })
  shiny::observeEvent(input$keyframe_remove, {
    table <- app_read_keyframes(input, rows())
    if (nrow(table) <= 1L) {
      context$show_message("A zoom needs one keyframe: change its numbers instead.", "warning")
      return()
    }
    rows(table[table$id != input$keyframe_remove, , drop = FALSE])
  })
  shiny::observeEvent(input$mode, {
    shiny::updateActionButton(session, "dream",
                              label = if (identical(input$mode, "zoom")) "Dream the zoom" else "Dream")
  }, ignoreInit = TRUE)
  app_zoom_outputs(output, zoom, context)

  function(photo, settings, labels) {
    options <- list(frames = input$zoom_frames, fps = input$zoom_fps,
                    interpolation = input$zoom_interpolation,
                    color_lock = input$zoom_color_lock, loop = input$zoom_loop)
    arguments <- tryCatch(app_zoom_arguments(options, app_read_keyframes(input, rows())),
                          error = function(e) e)
    if (inherits(arguments, "error")) {
      context$show_message(conditionMessage(arguments))
      return(invisible())
    }
    app_run_zoom(session, context, zoom, photo, settings, labels, arguments)
  }
}

# Submit the zoom to the worker: a progress bar counting frames, the latest frame shown
# while it runs, the GIF and its code at the end.
app_run_zoom <- function(session, context, zoom, photo, settings, labels, arguments) {
  state <- context$state
  code <- app_zoom_code(photo, settings, arguments, context$weights)
  args <- list(photo = photo$input, settings = settings$values, zoom = arguments,
               labels = labels,
               output = context$new_file("zoom", ".gif"),
               previews = context$new_file("frames", ""),
               progress = context$new_file("progress", ".txt"),
               cancel = context$new_file("cancel", ".txt"), weights = context$weights)
  context$set_busy(TRUE, "zoom")
  state$message <- NULL
  state$progress <- "Dreaming the zoom..."
  zoom$preview <- NULL
  bar <- shiny::Progress$new(session, min = 0, max = arguments$frames)
  bar$set(message = "Dreaming the zoom", value = 0)
  started <- Sys.time()
  context$worker$submit(
    context$owner, "zoom", args,
    on_done = function(result) {
      context$set_busy(FALSE)
      bar$close()
      zoom$preview <- NULL
      state$progress <- ""
      if (!isTRUE(result$ok)) {
        context$show_message(result$message)
        return()
      }
      value <- result$value
      if (isTRUE(value$cancelled)) {
        context$show_message(sprintf("Zoom cancelled after %d of %d frames.", value$frames,
                                     arguments$frames), "warning")
        return()
      }
      zoom$result <- list(file = value$output, code = code, label = photo$label,
                          frames = value$frames, fps = arguments$fps, dims = photo$dims,
                          loop = arguments$loop)
      state$progress <- sprintf("Zoom dreamed in %.1f s (%d frames).", value$seconds,
                                value$frames)
    },
    on_progress = function(line) {
      parts <- suppressWarnings(as.integer(strsplit(line, " ", fixed = TRUE)[[1]]))
      if (length(parts) < 2L || anyNA(parts[1:2])) {
        return()
      }
      bar$set(value = parts[[1]], detail = sprintf("frame %d of %d", parts[[1]], parts[[2]]))
      state$progress <- sprintf("Dreaming the zoom: frame %d of %d done (%.0f s)", parts[[1]],
                                parts[[2]], as.numeric(difftime(Sys.time(), started,
                                                                units = "secs")))
      preview <- file.path(args$previews, sprintf("frame_%05d.png", parts[[1]] - 1L))
      if (!identical(zoom$preview$file, preview) && file.exists(preview)) {
        zoom$preview <- list(file = preview, done = parts[[1]], frames = parts[[2]])
      }
    },
    cancel_file = args$cancel
  )
}

# The zoom's outputs: the latest frame while it runs, then the GIF; its download and code.
app_zoom_outputs <- function(output, zoom, context) {
  output$zoom_view <- shiny::renderUI({
    preview <- zoom$preview
    result <- zoom$result
    if (!is.null(preview)) {
      return(shiny::tagList(
        shiny::tags$img(id = "zoom-preview", src = context$url_of(preview$file),
                        alt = "the latest frame"),
        shiny::tags$small(class = "text-muted", sprintf("frame %d of %d", preview$done,
                                                        preview$frames))
      ))
    }
    if (is.null(result)) {
      return(shiny::tags$p(class = "text-muted", "Press Dream the zoom."))
    }
    shiny::tagList(
      shiny::tags$img(id = "zoom-img", src = context$url_of(result$file), alt = "the zoom"),
      shiny::tags$small(class = "text-muted", sprintf(
        "%d frames%s at %s frames per second, %d x %d pixels", result$frames,
        switch(result$loop %||% "none", pingpong = " forward and back",
               seamless = ", closing on the first", ""),
        format(result$fps), result$dims[[2]], result$dims[[1]]
      ))
    )
  })
  output$zoom_code <- shiny::renderText({
    result <- zoom$result
    if (is.null(result)) "# The call appears here after a zoom." else result$code
  })
  output$download_zoom <- shiny::downloadHandler(
    filename = function() {
      label <- zoom$result$label %||% "dream"
      paste0(tools::file_path_sans_ext(basename(label)), "-zoom.gif")
    },
    content = function(file) {
      shiny::req(zoom$result)
      file.copy(zoom$result$file, file, overwrite = TRUE)
    },
    contentType = "image/gif"
  )
}
