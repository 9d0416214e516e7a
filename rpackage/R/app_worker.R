# The dream explorer's worker: a second R process (a callr session) that runs the engine.
#
# In the app's process, new_app_worker() keeps one queue of jobs (the engine's start-up,
# preparing a photo, a dream), runs them one at a time in the worker and hands each result
# to the session that asked for it. In the worker, app_worker_run() does the job and
# returns list(ok = TRUE, value = ...) or list(ok = FALSE, message = <one line>), the
# message being the one the package's functions give, with temporary paths replaced by the
# names of the files the user chose.

new_app_worker <- function(folder, weights) {
  self <- new.env(parent = emptyenv())
  self$process <- NULL
  self$queue <- list()
  self$running <- NULL
  self$started <- NULL
  self$start_callbacks <- list()

  launch <- function() {
    options <- callr::r_session_options(libpath = package_libraries())
    self$process <- callr::r_session$new(options = options, wait = TRUE)
    self$started <- NULL
    self$queue <- c(list(list(owner = "", kind = "start", args = list(weights = weights),
                              on_done = announce_start)), self$queue)
  }
  announce_start <- function(result) {
    self$started <- result
    for (callback in self$start_callbacks) {
      callback(result)
    }
  }
  alive <- function() !is.null(self$process) && self$process$is_alive()

  run_next <- function() {
    if (!is.null(self$running) || !length(self$queue)) {
      return(invisible())
    }
    if (!alive()) {
      launch()
    }
    job <- self$queue[[1]]
    self$queue <- self$queue[-1]
    self$running <- job
    # the function keeps its environment, the package's namespace, in the worker
    self$process$call(app_worker_run, list(kind = job$kind, args = job$args),
                      package = TRUE)
    invisible()
  }

  self$start <- function() {
    if (!alive()) {
      launch()
      run_next()
    }
    invisible()
  }
  # Call `callback(result)` when the engine has started (at once if it has).
  self$when_started <- function(owner, callback) {
    self$start_callbacks[[owner]] <- callback
    if (!is.null(self$started)) {
      callback(self$started)
    } else {
      self$start()
    }
    invisible()
  }
  self$has_jobs <- function() !is.null(self$running) || length(self$queue) > 0L
  # Queue a job; a new photo of a session replaces the one it had waiting.
  self$submit <- function(owner, kind, args, on_done, on_progress = NULL, cancel_file = NULL) {
    if (kind == "photo") {
      self$queue <- Filter(function(job) !(job$owner == owner && job$kind == "photo"),
                           self$queue)
    }
    self$queue[[length(self$queue) + 1L]] <- list(
      owner = owner, kind = kind, args = args, on_done = on_done, on_progress = on_progress,
      cancel_file = cancel_file
    )
    run_next()
  }
  # Results and progress: called every few hundred milliseconds by each session.
  self$poll <- function() {
    job <- self$running
    if (is.null(job)) {
      return(run_next())
    }
    state <- tryCatch(self$process$poll_process(0), error = function(e) "ready")
    if (!identical(state, "ready")) {
      if (!is.null(job$on_progress) && file.exists(job$args$progress)) {
        line <- tryCatch(readLines(job$args$progress, warn = FALSE), error = function(e) "")
        if (length(line) == 1L && nzchar(line)) job$on_progress(line)
      }
      return(invisible())
    }
    answer <- tryCatch(self$process$read(), error = function(e) NULL)
    self$running <- NULL
    result <- if (!is.null(answer) && identical(answer$code, 200L) && is.null(answer$error)) {
      answer$result
    } else {
      reason <- if (!is.null(answer$error)) conditionMessage(answer$error) else answer$message
      if (alive() && identical(answer$code, 200L)) {
        list(ok = FALSE, message = one_line(reason %||% "the job failed"))
      } else {
        self$process <- NULL
        list(ok = FALSE, message = paste0(
          "The dream engine stopped (", one_line(reason %||% "no reason given"),
          "); it starts again with the next job."
        ))
      }
    }
    if (!is.null(job$on_done)) {
      job$on_done(result)
    }
    run_next()
  }
  # Stop a session's running dream after its current step, and drop its waiting jobs.
  self$cancel <- function(owner) {
    job <- self$running
    if (!is.null(job) && job$owner == owner && !is.null(job$cancel_file)) {
      writeLines("cancel", job$cancel_file)
    }
    self$queue <- Filter(function(job) job$owner != owner, self$queue)
    invisible()
  }
  self$forget <- function(owner) {
    self$cancel(owner)
    self$start_callbacks[[owner]] <- NULL
    if (!is.null(self$running) && self$running$owner == owner) {
      self$running$on_done <- NULL
      self$running$on_progress <- NULL
    }
    invisible()
  }
  self$stop <- function() {
    if (!is.null(self$process)) {
      tryCatch(self$process$kill(), error = function(e) NULL)
      self$process <- NULL
    }
    self$queue <- list()
    self$running <- NULL
    invisible()
  }
  self
}

# The libraries a second R process needs to load this deepdream: the one it was loaded
# from first (it may be off .libPaths(), as with `library(deepdream, lib.loc = ...)`), then
# this process's own.
package_libraries <- function() {
  unique(c(dirname(system.file(package = "deepdream")), .libPaths()))
}

# ---------------------------------------------------------------------------------------
# In the worker process

app_worker_run <- function(kind, args) {
  replace <- unlist(args$labels %||% list())
  tryCatch(
    list(ok = TRUE, value = switch(
      kind,
      start = app_worker_start(args),
      photo = app_worker_photo(args),
      dream = app_worker_dream(args),
      zoom = app_worker_zoom(args),
      visualize = app_worker_visualize(args),
      stop("unknown job ", kind)
    )),
    error = function(e) {
      message <- one_line(conditionMessage(e))
      for (path in names(replace)) {
        message <- gsub(path, replace[[path]], message, fixed = TRUE)
      }
      list(ok = FALSE, message = message)
    }
  )
}

# Start the engine, build the network with the app's weights and trace its step once, so
# that the first dream does not wait for them; the presets for InceptionV3 and its layers.
app_worker_start <- function(args) {
  python_bridge()
  presets <- unclass(dream_presets())
  presets <- Filter(function(p) is.null(p$model) || identical(p$model, "inception_v3"), presets)
  warning <- tryCatch({
    deep_dream(array(128L, c(160L, 160L, 3L)), layers = list(mixed3 = 1),
               weights = args$weights, num_octave = 1L, iterations = 1L, max_loss = NULL,
               progress = FALSE)
    NULL
  }, error = function(e) one_line(conditionMessage(e)))
  version <- reticulate::py_to_r(
    reticulate::import("pydream", convert = FALSE)[["__version__"]]
  )
  list(presets = presets, layers = list_layers(), warning = warning, version = version,
       python = python_executable())
}

# A photo for the app: read it (an example or a file), shrink it to `size` pixels on its
# longer side (0: keep its size), write what the page shows; the dream starts from `input`.
app_worker_photo <- function(args) {
  path <- args$path
  if (startsWith(path, "example:")) {
    path <- example_image(sub("^example:", "", path))
  }
  x <- preprocess_image(path)
  original <- dim(x)[2:3]
  dims <- original
  input <- path
  if (args$size > 0L && max(dims) > args$size) {
    dims <- as.integer(round(dims * args$size / max(dims)))
    x <- resize_img(x, dims)
    input <- args$file
  }
  save_img(deprocess_image(x), args$file)
  list(file = args$file, input = input, dims = dims, original = original)
}

# A dream: progress written to a file at every step, stopped when the cancel file appears.
app_worker_dream <- function(args) {
  steps <- 0L
  callback <- function(octave, step, loss) {
    steps <<- steps + 1L
    writeLines(sprintf("%d %d %d %g", octave, step, steps, loss), args$progress)
    file.exists(args$cancel)
  }
  dir.create(args$octaves, showWarnings = FALSE, recursive = TRUE)
  started <- Sys.time()
  do.call(deep_dream, c(
    list(args$photo), args$settings,
    list(weights = args$weights, save_octaves = args$octaves, output = args$output,
         progress = FALSE, callback = callback)
  ))
  octaves <- list.files(args$octaves, pattern = "^octave_[0-9]+.*[.]png$", full.names = TRUE)
  octaves <- octaves[order(as.integer(sub("^octave_([0-9]+).*", "\\1", basename(octaves))))]
  list(output = args$output, octaves = octaves, steps = steps,
       cancelled = file.exists(args$cancel),
       seconds = as.numeric(difftime(Sys.time(), started, units = "secs")))
}

# A zoom: dream_zoom() into a GIF; after each frame, the count of frames done and the
# frames in all are written to the progress file and the frame to `previews`
# (frame_00000.png, ...); the zoom stops after the frame in hand when the cancel file appears.
app_worker_zoom <- function(args) {
  done <- 0L
  dir.create(args$previews, showWarnings = FALSE, recursive = TRUE)
  callback <- function(index, frame) {
    save_img(frame, file.path(args$previews, sprintf("frame_%05d.png", done)))
    done <<- done + 1L
    writeLines(sprintf("%d %d", done, args$zoom$frames), args$progress)
    file.exists(args$cancel)
  }
  started <- Sys.time()
  # a stopped zoom returns NULL and says, in a message, where its frames are kept
  written <- suppressMessages(do.call(dream_zoom, c(
    list(args$photo, args$output), args$zoom, args$settings,
    list(weights = args$weights, progress = FALSE, callback = callback)
  )))
  cancelled <- is.null(written)
  if (cancelled) {
    unlink(paste0(args$output, ".frames"), recursive = TRUE)
  }
  list(output = args$output, frames = done, cancelled = cancelled,
       seconds = as.numeric(difftime(Sys.time(), started, units = "secs")))
}

# What the network sees: visualize() of the keys into one labelled sheet; after each step,
# the steps done and the steps in all are written to the progress file; the drawing stops
# after the step in hand when the cancel file appears (nothing is written then).
app_worker_visualize <- function(args) {
  done <- 0L
  callback <- function(step, total) {
    done <<- step
    writeLines(sprintf("%d %d", step, total), args$progress)
    file.exists(args$cancel)
  }
  started <- Sys.time()
  kwargs <- do.call(visualize_arguments, c(args$visualize, list(output = args$output)))
  result <- run_visualize(kwargs, callback)
  list(output = args$output, steps = done, cancelled = !is.null(result$stopped),
       labels = as.character(unlist(result$labels)),
       seconds = as.numeric(difftime(Sys.time(), started, units = "secs")))
}
