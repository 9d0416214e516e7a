# The dream explorer: a Shiny app (dream_app()) and its RStudio add-in (dream_addin()).
#
# The app's own R process serves the page and never starts Python. The dreams run in a
# second R process (a callr session, "the worker") that loads deepdream and the engine once
# and keeps them for every dream, so the network stays built and the page stays responsive:
# the progress bar moves and Cancel works while a dream runs. The worker reports progress by
# writing the step it is at to a small file; Cancel creates a file that the dream's callback
# sees after the current step.

#' Explore dreams in a Shiny app
#'
#' An interactive explorer of DeepDream settings: choose a photo (upload one or take an
#' example), a preset, the layers with a coefficient slider each (a key such as
#' `"mixed4:97"` dreams a channel), whether to keep the photo's colours
#' (`original_colors`: dream only the brightness), the octaves, steps, step size and seed,
#' and optionally a guide picture, a mask and the gradient's normalisation; then dream,
#' with a progress bar and a Cancel button. The photo and the dream are shown side by
#' side, with the picture at the end of each octave below; the dream downloads as a PNG,
#' and the app shows the [deep_dream()] call that makes the same dream, ready to copy.
#'
#' @section Zoom animations:
#' "Make: a zoom animation" turns the app to [dream_zoom()]: a short animation of the
#' photo, each frame dreamed with the settings above, of a number of frames at a number of
#' frames per second. A table of keyframes sets the motion: each row a frame (numbered
#' from 0) with its zoom, its rotation (degrees, anticlockwise) and its move (pixels a
#' frame, x right, y down); "Add keyframe" adds a row, "remove" takes one away. Between
#' keyframes the values are interpolated, linearly or smoothly (ease in and out); before
#' the first keyframe and after the last their values hold. A value that is the same in
#' every row is passed as a constant, others as keyframes named by frame, such as
#' `zoom = c("0" = 1.05, "24" = 1.2)` and `translate = list("0" = c(0, 0), "24" = c(4, 0))`.
#' A colour lock keeps every frame's colours to the first frame's (`color_lock = TRUE`),
#' and the loop "ping-pong" plays the frames forward, then back. While the zoom runs, the
#' progress bar counts frames and the latest frame is shown; Cancel stops it after the
#' frame in hand. The GIF is shown and downloads, beside the [dream_zoom()] call that
#' makes it.
#'
#' @section What the network sees:
#' "Make: what the network sees" draws each chosen layer key from faint noise with
#' [visualize()] (the photo, the coefficients and the octave settings are not used; the
#' seed is): a picture of a side of 224 pixels after 128 steps by default, fewer than
#' [visualize()]'s 256 so that it takes seconds. The pictures are shown as one sheet, each
#' under its key; the progress bar counts steps and Cancel stops after the step in hand.
#' The sheet downloads as a PNG, beside the [visualize()] call that draws the same pictures.
#'
#' The dreams run in a separate R process that starts with the app and keeps the engine
#' (Python, the network and its compiled step) loaded between dreams, so only the first
#' dream waits for the network to be built. That process finds Python as deepdream always
#' does (see [install_deepdream()]). Photos are shrunk to `size` pixels on their longer side
#' before dreaming (the call shown does the same), so that a dream takes seconds.
#'
#' Bad input (a file that is not a picture, a nonsense number) shows the one-line message
#' that [deep_dream()] gives for it, and the app carries on.
#'
#' In RStudio the add-in "Dream a picture" (Addins menu) opens the app in the Viewer pane.
#'
#' @param image `NULL`, or the path of a picture to start with (otherwise the jellyfish
#'   example, see [example_image()]).
#' @param weights The network's weights for every dream: "imagenet" (Keras downloads them
#'   once), `NULL` for an untrained network, or the path of a weights file; see
#'   [deep_dream()].
#' @param size Pixels of a photo's longer side when the app starts (a whole number from 150
#'   to 4096; it can be changed in the app, or set to the photo's full size there).
#' @param launch If `TRUE`, run the app at once and open it in a web browser (the call
#'   returns when the app stops); if `FALSE`, return the app.
#' @return A Shiny app object (class "shiny.appobj"): run it with [shiny::runApp()], print
#'   it at the console, or return it from an `app.R` file. With `launch = TRUE`, whatever
#'   [shiny::runApp()] returns, invisibly.
#' @examples
#' if (requireNamespace("shiny", quietly = TRUE) &&
#'     requireNamespace("callr", quietly = TRUE)) {
#'   app <- dream_app()
#'   class(app)
#' }
#' \dontrun{
#' dream_app(launch = TRUE)
#' shiny::runApp(dream_app("photo.jpg", weights = "inception_v3.weights.h5"), port = 8080)
#' }
#' @export
dream_app <- function(image = NULL, weights = "imagenet", size = 600L, launch = FALSE) {
  require_app_packages("dream_app()")
  if (!is.null(image)) {
    image <- check_existing_file(image, "image")
  }
  weights <- check_weights(weights)
  size <- check_whole(size, "size", min = 150, max = 4096)
  check_flag(launch, "launch")
  app <- new_dream_app(image, weights, size)
  if (launch) {
    return(invisible(shiny::runApp(app, launch.browser = TRUE)))
  }
  app
}

#' Dream a picture: the RStudio add-in
#'
#' Opens [dream_app()] in RStudio's Viewer pane (elsewhere, in a web browser); the add-in
#' "Dream a picture" of the Addins menu calls it. The app stops when the pane is closed or
#' the R console is interrupted.
#'
#' @return Called for its effect; returns when the app stops.
#' @examples
#' \dontrun{
#' dream_addin()
#' }
#' @export
dream_addin <- function() {
  require_app_packages("The \"Dream a picture\" add-in")
  viewer <- if (nzchar(Sys.getenv("RSTUDIO"))) {
    shiny::paneViewer(minHeight = "maximize")
  } else {
    shiny::browserViewer()
  }
  invisible(shiny::runGadget(dream_app(), viewer = viewer, stopOnCancel = FALSE))
}

require_app_packages <- function(what) {
  for (package in c("shiny", "callr")) {
    if (!requireNamespace(package, quietly = TRUE)) {
      abort_argument(sprintf(
        "%s needs the %s package: install.packages(\"%s\") (on Debian: apt-get install r-cran-%s).",
        what, package, package, package
      ))
    }
  }
}

# ---------------------------------------------------------------------------------------
# The app

# The settings the app has controls for; their starting values are the schema's defaults
# (settings-generated.R), but for the seed: the app starts from a fixed one, so that a
# change of one control shows its own effect.
app_setting_names <- c("step", "num_octave", "octave_scale", "iterations", "max_loss", "seed",
                       "jitter", "smoothing", "normalize")

# The controls' values when the app starts: deep_dream()'s defaults and two layers.
app_defaults <- function() {
  defaults <- lapply(dream_schema[app_setting_names], function(spec) spec$default)
  c(defaults, list(
    seed = 1L,
    normalize_choices = dream_schema$normalize$choices,
    layers = list(mixed3 = 1, mixed5 = 1.5),
    layer_choices = paste0("mixed", 0:10),
    sizes = c(300L, 400L, 600L, 800L, 1200L)
  ))[unique(c(app_setting_names, "normalize_choices", "layers", "layer_choices", "sizes"))]
}

# A numeric control for a setting: its schema default (or the app's) and bounds.
app_setting_input <- function(id, label, defaults, ...) {
  spec <- dream_schema[[id]]
  bounds <- list(min = spec$minimum %||% spec$strictly_above, max = spec$maximum)
  bounds <- bounds[!vapply(bounds, is.null, logical(1))]
  do.call(shiny::numericInput, c(list(id, label, defaults[[id]], width = "100%"), bounds,
                                 list(...)))
}

new_dream_app <- function(image, weights, size) {
  folder <- tempfile("deepdream-app-")
  dir.create(folder)
  prefix <- basename(folder)
  worker <- new_app_worker(folder, weights)
  on_start <- function() {
    shiny::addResourcePath(prefix, folder)
    worker$start()
    shiny::onStop(function() {
      worker$stop()
      unlink(folder, recursive = TRUE)
    })
  }
  server <- function(input, output, session) {
    shiny::addResourcePath(prefix, folder)
    app_server(input, output, session, worker, image, weights, folder, prefix)
  }
  shiny::shinyApp(app_ui(image, size), server, onStart = on_start)
}

app_ui <- function(image, size) {
  tags <- shiny::tags
  defaults <- app_defaults()
  sizes <- sort(unique(c(defaults$sizes, size)))
  size_choices <- c(stats::setNames(as.character(sizes), paste(sizes, "pixels")),
                    "the photo's own size" = "0")
  numeric <- function(id, label, ...) app_setting_input(id, label, defaults, ...)
  shiny::fluidPage(
    title = "deepdream explorer",
    tags$head(
      tags$style(shiny::HTML(app_css)),
      tags$script(shiny::HTML(app_js))
    ),
    shiny::h3("Dream a picture"),
    shiny::fluidRow(
      shiny::column(
        4,
        shiny::wellPanel(
          tags$h4("Photo"),
          shiny::selectInput("example", "Example photo",
                             c("(none)" = "", "jellyfish", "shanghai"),
                             selected = if (is.null(image)) "jellyfish" else ""),
          shiny::fileInput("upload", "or upload a picture", accept = "image/*"),
          shiny::selectInput("size", "Dream size (longer side)", size_choices,
                             selected = as.character(size)),
          tags$h4("What to dream"),
          shiny::selectInput("preset", "Preset", c("(none)" = "")),
          shiny::selectizeInput(
            "layers", "Layers (type a key: mixed4:97 is a channel)",
            choices = defaults$layer_choices, selected = names(defaults$layers),
            multiple = TRUE, width = "100%",
            options = list(create = TRUE, plugins = list("remove_button"))
          ),
          shiny::uiOutput("coefficients"),
          shiny::checkboxInput("original_colors",
                               "Original colours: dream only the brightness", FALSE),
          tags$h4("Octaves and steps"),
          shiny::fluidRow(
            shiny::column(6, numeric("num_octave", "Octaves")),
            shiny::column(6, numeric("octave_scale", "Octave scale", step = 0.1))
          ),
          shiny::fluidRow(
            shiny::column(6, numeric("iterations", "Steps per octave")),
            shiny::column(6, numeric("step", "Step size", step = 0.005))
          ),
          shiny::fluidRow(
            shiny::column(6, numeric("max_loss", "Max loss (empty: none)")),
            shiny::column(6, numeric("seed", "Seed (empty: random)"))
          ),
          tags$details(
            tags$summary("Guide, mask, smoother gradients"),
            shiny::fileInput("guide", "Guide picture (dream toward it)", accept = "image/*"),
            shiny::fileInput("mask", "Mask (white dreams, black keeps the photo)",
                             accept = "image/*"),
            shiny::actionLink("clear_pictures", "Remove the guide and the mask"),
            shiny::selectInput("normalize", "Gradient normalisation",
                               defaults$normalize_choices,
                               selected = defaults$normalize, width = "100%"),
            shiny::fluidRow(
              shiny::column(6, numeric("smoothing", "Smoothing (pixels)", step = 0.5)),
              shiny::column(6, numeric("jitter", "Jitter (pixels)"))
            )
          ),
          shiny::radioButtons("mode", "Make", c("one picture" = "dream",
                                                "a zoom animation" = "zoom",
                                                "what the network sees" = "visualize"),
                              inline = TRUE),
          app_zoom_panel(),
          app_visualize_panel(),
          tags$div(
            class = "dream-buttons",
            shiny::actionButton("dream", "Dream", class = "btn-primary"),
            shiny::actionButton("cancel_dream", "Cancel", disabled = "disabled")
          )
        )
      ),
      shiny::column(
        8,
        tags$div(id = "engine-status", class = "text-muted", shiny::textOutput("engine", inline = TRUE)),
        shiny::uiOutput("message"),
        tags$div(id = "progress-text", shiny::textOutput("progress", inline = TRUE)),
        shiny::conditionalPanel("input.mode != 'visualize'", shiny::fluidRow(
          shiny::column(6, tags$h5("Photo"), shiny::uiOutput("photo_view")),
          shiny::column(
            6,
            shiny::conditionalPanel("input.mode == 'dream'", tags$h5("Dream"),
                                    shiny::uiOutput("dream_view")),
            app_zoom_view()
          )
        )),
        app_visualize_view(),
        shiny::conditionalPanel(
          "input.mode == 'dream'",
          shiny::uiOutput("octaves"),
          tags$div(
            class = "dream-actions",
            shiny::downloadButton("download", "Download PNG"),
            shiny::actionButton("copy_code", "Copy the R code", icon = shiny::icon("copy"),
                                onclick = "deepdreamCopy('code', 'copy_code')")
          ),
          tags$h5("The same dream in R"),
          shiny::verbatimTextOutput("code")
        ),
        app_zoom_actions()
      )
    )
  )
}

app_css <- "
#photo_view img, #dream_view img, #zoom_view img { width: 100%; height: auto;
  border-radius: 4px; }
#visual_view img { max-width: 100%; height: auto; border-radius: 4px; }
.keyframes { margin-bottom: 6px; }
.keyframes th { font-size: 11px; font-weight: normal; color: #555; padding: 2px !important; }
.keyframes td { padding: 2px !important; vertical-align: middle !important; }
.keyframes .form-group { margin-bottom: 0; }
.keyframes input.form-control { padding: 2px 4px; height: 28px; }
#octaves img { height: 90px; margin: 2px; border-radius: 3px; }
#octaves figure { display: inline-block; margin: 0 6px 6px 0; text-align: center;
  font-size: 11px; color: #666; }
.dream-buttons { margin-top: 10px; }
.dream-buttons .btn { margin-right: 6px; }
.dream-actions { margin: 10px 0; }
#engine-status { margin-bottom: 6px; }
#progress-text { min-height: 1.4em; margin-bottom: 6px; font-weight: bold; }
details summary { cursor: pointer; margin: 8px 0; font-weight: bold; }
.dream-message { margin-bottom: 8px; }
"

# Busy state of the buttons, and copying the code to the clipboard.
app_js <- "
$(document).on('shiny:connected', function() {
  Shiny.addCustomMessageHandler('deepdream-busy', function(busy) {
    $('#dream').prop('disabled', busy);
    $('#cancel_dream').prop('disabled', !busy);
  });
});
function deepdreamCopy(id, button) {
  var text = $('#' + id).text();
  function fallback() {
    var area = $('<textarea>').val(text).appendTo('body').select();
    try { document.execCommand('copy'); } catch (e) {}
    area.remove();
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).catch(fallback);
  } else {
    fallback();
  }
  $('#' + button).text(' Copied');
  setTimeout(function() {
    $('#' + button).html('<i class=\"far fa-copy\"></i> Copy the R code');
  }, 1500);
}
"

app_server <- function(input, output, session, worker, image, weights, folder, prefix) {
  state <- shiny::reactiveValues(
    photo = NULL,        # list(file, label, code, dims, original)
    dream = NULL,        # list(file, octaves, code, seconds, label)
    message = NULL,      # list(text, type)
    engine = "Engine: starting (Python, Keras and the network load once)...",
    presets = list(),
    busy = FALSE,
    progress = "",
    guide = NULL,        # list(path, label)
    mask = NULL,
    preset_version = 0L,
    preset_layers = NULL,
    running = ""         # the worker's job for this session: "", "dream", "zoom", "visualize"
  )
  owner <- session$token
  jobs <- new.env(parent = emptyenv())
  jobs$count <- 0L
  bar <- NULL

  show_message <- function(text, type = "danger") {
    state$message <- list(text = text, type = type)
  }
  new_file <- function(stem, ext = ".png") {
    jobs$count <- jobs$count + 1L
    file.path(folder, sprintf("%s-%s-%03d%s", substr(owner, 1L, 8L), stem, jobs$count, ext))
  }
  url_of <- function(file) paste0(prefix, "/", substring(file, nchar(folder) + 2L))

  # The engine: started with the app; this session learns when it is ready.
  worker$when_started(owner, function(result) {
    if (!isTRUE(result$ok)) {
      state$engine <- paste("Engine: cannot start:", result$message)
      show_message(result$message)
      return()
    }
    info <- result$value
    state$engine <- sprintf("Engine: ready (pydream %s, Python %s)", info$version, info$python)
    presets <- info$presets
    state$presets <- presets
    shiny::updateSelectInput(session, "preset", choices = c("(none)" = "", names(presets)))
    shiny::updateSelectizeInput(
      session, "layers", choices = union(info$layers, shiny::isolate(input$layers)),
      selected = shiny::isolate(input$layers), server = FALSE
    )
    if (!is.null(info$warning)) {
      show_message(paste("The network could not be prepared:", info$warning), "warning")
    }
  })

  # Poll the worker: results of this session's jobs and the running dream's progress.
  shiny::observe({
    shiny::invalidateLater(if (worker$has_jobs()) 250 else 1000)
    worker$poll()
  })

  # The photo: an example, an upload or the picture given to dream_app().
  prepare_photo <- function(path, label, code) {
    size <- suppressWarnings(as.integer(shiny::isolate(input$size)))
    if (is.na(size)) size <- 0L
    file <- new_file("photo")
    state$progress <- "Preparing the photo..."
    labels <- stats::setNames(list(label), path)
    worker$submit(owner, "photo", list(path = path, size = size, file = file, labels = labels),
                  function(result) {
      state$progress <- ""
      if (!isTRUE(result$ok)) {
        show_message(result$message)
        return()
      }
      value <- result$value
      state$dream <- NULL
      state$photo <- list(file = value$file, input = value$input, label = label, code = code,
                          dims = value$dims, original = value$original)
      state$message <- NULL
    })
  }
  photo_source <- shiny::reactiveVal(
    if (is.null(image)) NULL else list(path = image, label = basename(image),
                                       code = deparse_value(image))
  )
  shiny::observeEvent(input$example, {
    if (nzchar(input$example)) {
      photo_source(list(example = input$example, label = input$example,
                        code = sprintf("example_image(\"%s\")", input$example)))
    }
  })
  shiny::observeEvent(input$upload, {
    upload <- input$upload
    shiny::updateSelectInput(session, "example", selected = "")
    photo_source(list(path = upload$datapath[[1]], label = upload$name[[1]],
                      code = deparse_value(upload$name[[1]])))
  })
  shiny::observe({
    source <- photo_source()
    input$size
    if (is.null(source)) {
      return()
    }
    shiny::isolate(prepare_photo(source$path %||% paste0("example:", source$example),
                                 source$label, source$code))
  })

  # Guide and mask pictures.
  shiny::observeEvent(input$guide, {
    state$guide <- list(path = input$guide$datapath[[1]], label = input$guide$name[[1]])
  })
  shiny::observeEvent(input$mask, {
    state$mask <- list(path = input$mask$datapath[[1]], label = input$mask$name[[1]])
  })
  shiny::observeEvent(input$clear_pictures, {
    state$guide <- NULL
    state$mask <- NULL
    show_message("The guide and the mask are removed.", "info")
  })

  # Presets fill the controls.
  shiny::observeEvent(input$preset, {
    preset <- state$presets[[input$preset]]
    if (is.null(preset)) {
      return()
    }
    state$preset_layers <- preset$layers
    state$preset_version <- state$preset_version + 1L
    shiny::updateSelectizeInput(session, "layers",
                                choices = union(shiny::isolate(input$layers), names(preset$layers)),
                                selected = names(preset$layers))
    for (name in c("step", "num_octave", "octave_scale", "iterations")) {
      if (!is.null(preset[[name]])) {
        shiny::updateNumericInput(session, name, value = preset[[name]])
      }
    }
    if ("max_loss" %in% names(preset)) {
      shiny::updateNumericInput(session, "max_loss",
                                value = if (is.null(preset$max_loss)) NA else preset$max_loss)
    }
    if (!is.null(preset$normalize)) {
      shiny::updateSelectInput(session, "normalize", selected = preset$normalize)
    }
  }, ignoreInit = TRUE)

  # One coefficient slider per layer key; a preset gives its sliders new ids and values.
  coefficient_id <- function(key) {
    paste0("coef_", state$preset_version, "_", paste(as.character(charToRaw(key)), collapse = ""))
  }
  output$coefficients <- shiny::renderUI({
    keys <- input$layers
    shiny::req(length(keys) > 0L)
    preset_layers <- state$preset_layers
    shiny::tagList(lapply(keys, function(key) {
      id <- coefficient_id(key)
      value <- shiny::isolate(input[[id]]) %||% preset_layers[[key]] %||%
        app_defaults()$layers[[key]] %||% 1
      shiny::sliderInput(id, key, min = 0, max = 10, value = value, step = 0.05,
                         width = "100%")
    }))
  })
  coefficients <- function() {
    keys <- input$layers
    values <- lapply(keys, function(key) {
      input[[coefficient_id(key)]] %||% state$preset_layers[[key]] %||%
        app_defaults()$layers[[key]] %||% 1
    })
    stats::setNames(values, keys)
  }

  # Dream.
  set_busy <- function(busy, running = "dream") {
    state$busy <- busy
    state$running <- if (busy) running else ""
    session$sendCustomMessage("deepdream-busy", busy)
  }
  start_zoom <- app_zoom_server(input, output, session, list(
    state = state, worker = worker, owner = owner, weights = weights, new_file = new_file,
    url_of = url_of, show_message = show_message, set_busy = set_busy
  ))
  start_visualize <- app_visualize_server(input, output, session, list(
    state = state, worker = worker, owner = owner, weights = weights, new_file = new_file,
    url_of = url_of, show_message = show_message, set_busy = set_busy
  ))
  shiny::observeEvent(input$dream, {
    if (state$busy) {
      return()
    }
    if (identical(input$mode, "visualize")) {
      start_visualize()
      return()
    }
    settings <- app_settings(input, coefficients(), state$guide, state$mask)
    checked <- tryCatch(check_dream_settings(settings$values), error = function(e) e)
    if (inherits(checked, "error")) {
      show_message(conditionMessage(checked))
      return()
    }
    photo <- state$photo
    if (is.null(photo)) {
      show_message("Choose a photo first: an example or an upload (it may still be loading).")
      return()
    }
    if (identical(input$mode, "zoom")) {
      start_zoom(photo, settings, app_labels(photo, state$guide, state$mask))
      return()
    }
    code <- app_code(photo, settings, weights)
    total <- settings$values$num_octave * settings$values$iterations
    progress_file <- new_file("progress", ".txt")
    cancel_file <- new_file("cancel", ".txt")
    output_file <- new_file("dream")
    octave_folder <- new_file("octaves", "")
    set_busy(TRUE)
    state$message <- NULL
    state$progress <- "Dreaming..."
    bar <<- shiny::Progress$new(session, min = 0, max = max(total, 1))
    bar$set(message = "Dreaming", value = 0)
    started <- Sys.time()
    worker$submit(
      owner, "dream",
      list(photo = photo$input, settings = settings$values,
           labels = app_labels(photo, state$guide, state$mask),
           output = output_file, octaves = octave_folder, progress = progress_file,
           cancel = cancel_file, weights = weights),
      on_done = function(result) {
        set_busy(FALSE)
        if (!is.null(bar)) {
          bar$close()
          bar <<- NULL
        }
        state$progress <- ""
        if (!isTRUE(result$ok)) {
          show_message(result$message)
          return()
        }
        value <- result$value
        if (isTRUE(value$cancelled)) {
          show_message(sprintf("Dream cancelled after %d steps.", value$steps), "warning")
          return()
        }
        state$dream <- list(file = value$output, octaves = value$octaves, code = code,
                            seconds = value$seconds, label = photo$label)
        state$progress <- sprintf("Dreamed in %.1f s (%d steps).", value$seconds, value$steps)
      },
      on_progress = function(line) {
        parts <- suppressWarnings(as.numeric(strsplit(line, " ", fixed = TRUE)[[1]]))
        if (length(parts) < 3L || anyNA(parts[1:3]) || is.null(bar)) {
          return()
        }
        detail <- sprintf("octave %d of %d, step %d of %d", as.integer(parts[[1]]),
                          settings$values$num_octave, as.integer(parts[[2]]),
                          settings$values$iterations)
        bar$set(value = parts[[3]], detail = detail)
        state$progress <- sprintf("Dreaming: %s (%.0f s)", detail,
                                  as.numeric(difftime(Sys.time(), started, units = "secs")))
      },
      cancel_file = cancel_file
    )
  })
  shiny::observeEvent(input$cancel_dream, {
    if (state$busy) {
      worker$cancel(owner)
      state$progress <- if (identical(state$running, "zoom")) {
        "Cancelling after the current frame..."
      } else {
        "Cancelling after the current step..."
      }
    }
  })
  session$onSessionEnded(function() worker$forget(owner))

  # What the page shows.
  output$engine <- shiny::renderText(state$engine)
  output$progress <- shiny::renderText(state$progress)
  output$message <- shiny::renderUI({
    message <- state$message
    if (is.null(message)) {
      return(NULL)
    }
    shiny::tags$div(class = paste0("dream-message alert alert-", message$type), role = "alert",
                    message$text)
  })
  output$photo_view <- shiny::renderUI({
    photo <- state$photo
    if (is.null(photo)) {
      return(shiny::tags$p(class = "text-muted", "No photo yet."))
    }
    shiny::tagList(
      shiny::tags$img(id = "photo-img", src = url_of(photo$file), alt = photo$label),
      shiny::tags$small(class = "text-muted", sprintf(
        "%s, %d x %d pixels", photo$label, photo$dims[[2]], photo$dims[[1]]
      ))
    )
  })
  output$dream_view <- shiny::renderUI({
    dream <- state$dream
    if (is.null(dream)) {
      return(shiny::tags$p(class = "text-muted", "Press Dream."))
    }
    shiny::tags$img(id = "dream-img", src = url_of(dream$file), alt = "the dream")
  })
  output$octaves <- shiny::renderUI({
    dream <- state$dream
    if (is.null(dream) || !length(dream$octaves)) {
      return(NULL)
    }
    shiny::tagList(
      shiny::tags$h5("Octaves, smallest first"),
      lapply(seq_along(dream$octaves), function(i) {
        shiny::tags$figure(
          shiny::tags$img(src = url_of(dream$octaves[[i]]), alt = paste("octave", i)),
          shiny::tags$figcaption(paste("octave", i))
        )
      })
    )
  })
  output$code <- shiny::renderText({
    dream <- state$dream
    if (is.null(dream)) "# The call appears here after a dream." else dream$code
  })
  output$download <- shiny::downloadHandler(
    filename = function() {
      label <- state$dream$label %||% "dream"
      paste0(tools::file_path_sans_ext(basename(label)), "-dream.png")
    },
    content = function(file) {
      shiny::req(state$dream)
      file.copy(state$dream$file, file, overwrite = TRUE)
    },
    contentType = "image/png"
  )
  invisible()
}

# The dream's settings from the controls: values for deep_dream() (checked later, with
# deep_dream()'s own checks and messages) and the labels of the guide and mask files.
app_settings <- function(input, coefficients, guide = NULL, mask = NULL) {
  blank_is_null <- function(x) if (length(x) == 1L && is.na(x)) NULL else x
  values <- list(
    layers = coefficients,
    preset = if (nzchar(input$preset %||% "")) input$preset else NULL,
    step = input$step,
    num_octave = input$num_octave,
    octave_scale = input$octave_scale,
    iterations = input$iterations,
    max_loss = blank_is_null(input$max_loss),
    seed = blank_is_null(input$seed),
    normalize = input$normalize %||% dream_schema$normalize$default,
    smoothing = input$smoothing,
    jitter = input$jitter,
    original_colors = isTRUE(input$original_colors)
  )
  values <- lapply(values, function(x) if (is.numeric(x) && length(x) == 0L) NA_real_ else x)
  labels <- list()
  if (!is.null(guide)) {
    values$guide <- guide$path
    labels$guide <- guide$label
  }
  if (!is.null(mask)) {
    values$mask <- mask$path
    labels$mask <- mask$label
  }
  # keep explicit NULLs (max_loss = NULL means "never stop early")
  values <- values[!vapply(names(values), function(n) is.null(values[[n]]) &&
                             !n %in% c("max_loss", "seed"), logical(1))]
  list(values = values, labels = labels)
}

# The deep_dream() call that makes the dream the app made.
app_code <- function(photo, settings, weights) {
  arguments <- c("photo", app_dream_arguments(settings, weights))
  paste(c(app_photo_lines(photo), "dream <- deep_dream(", app_argument_lines(arguments), ")",
          "plot(dream)"), collapse = "\n")
}

# The code that reads the photo and shrinks it as the app did.
app_photo_lines <- function(photo) {
  lines <- c("library(deepdream)", paste("photo <-", photo$code))
  if (!identical(photo$dims, photo$original)) {
    lines <- c(lines, sprintf(
      "photo <- deprocess_image(resize_img(preprocess_image(photo), c(%dL, %dL)))",
      photo$dims[[1]], photo$dims[[2]]
    ))
  }
  lines
}

# The dream's settings as arguments ("name = value"): the layers, the settings the user
# sees, the others where they differ from deep_dream()'s defaults, the guide, mask, weights.
app_dream_arguments <- function(settings, weights) {
  values <- settings$values
  labels <- settings$labels
  arguments <- paste0("layers = ", deparse_layers(values$layers))
  shown <- c("preset", "step", "num_octave", "octave_scale", "iterations", "max_loss", "seed")
  defaults <- formals(deep_dream)
  for (name in shown) {
    if (name %in% names(values)) {
      value <- values[[name]]
      if (name == "preset" && is.null(value)) next
      arguments <- c(arguments, paste0(name, " = ", deparse_value(value, whole = name %in% c(
        "num_octave", "iterations", "seed"
      ))))
    }
  }
  for (name in c("normalize", "smoothing", "jitter", "original_colors")) {
    value <- values[[name]]
    if (!is.null(value) && !identical(as.character(value), as.character(defaults[[name]]))) {
      arguments <- c(arguments, paste0(name, " = ", deparse_value(value, whole = name == "jitter")))
    }
  }
  for (name in c("guide", "mask")) {
    if (!is.null(labels[[name]])) {
      arguments <- c(arguments, paste0(name, " = ", deparse_value(labels[[name]])))
    }
  }
  if (!identical(weights, "imagenet")) {
    arguments <- c(arguments, paste0("weights = ", deparse_value(weights)))
  }
  arguments
}

# Arguments, one a line, indented, separated by commas.
app_argument_lines <- function(arguments) {
  paste0("  ", arguments, c(rep(",", length(arguments) - 1L), ""))
}

# Temporary paths -> the names the user knows them by, for messages.
app_labels <- function(photo, guide, mask) {
  labels <- list()
  for (picture in list(photo, guide, mask)) {
    path <- picture$input %||% picture$path
    if (!is.null(path)) {
      labels[[path]] <- picture$label
    }
  }
  labels
}

# A named list of coefficients as R code: list(mixed3 = 1, "mixed4:97" = 0.5).
deparse_layers <- function(layers) {
  keys <- names(layers)
  names <- ifelse(make.names(keys) == keys, keys, paste0("\"", keys, "\""))
  paste0("list(", paste0(names, " = ", vapply(layers, deparse_value, character(1)),
                         collapse = ", "), ")")
}

deparse_value <- function(value, whole = FALSE) {
  if (is.null(value)) {
    return("NULL")
  }
  if (whole && is.numeric(value) && !is.na(value) && value == round(value)) {
    return(paste0(format(value, scientific = FALSE), "L"))
  }
  if (is.numeric(value)) {
    return(format(value, digits = 15))
  }
  paste(deparse(value), collapse = "")
}
