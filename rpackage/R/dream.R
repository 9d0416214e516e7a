#' Dream: amplify what a network sees in a picture
#'
#' Runs DeepDream on a picture: gradient ascent on the image to increase the activations
#' of the chosen layers of a convolutional network, over several octaves (scales), with the
#' detail lost by shrinking the picture reinjected at each octave. The arguments and their
#' defaults are those of the Python function `pydream.deep_dream()`.
#'
#' Arguments that you do not give are left to the engine, so a `preset` sets them; an
#' argument you give always wins over the preset. With neither `layers` nor `preset`, the
#' "chollet" preset's layers are used.
#'
#' @section Octaves and lost detail:
#' The picture is first shrunk `num_octave - 1` times by `octave_scale`. The dream starts on
#' the smallest version; after each octave it is enlarged to the next size and the detail
#' that the shrinking had removed (the difference between the original at that size and the
#' enlarged small original) is added back, so the final dream keeps the photo's sharpness.
#'
#' @section Memory:
#' A gradient step keeps the activations of every layer up to the deepest dreamed one, so
#' its memory grows with the picture's size. With `tile_size = "auto"`, the default, the
#' engine estimates what the largest octave needs; when that is more than `memory_budget`,
#' it computes the gradient on tiles that fit and says so once, with a message when the
#' dream returns (silence it with [suppressMessages()]). The network sees each tile on its
#' own, so a tiled dream differs a little from an untiled one near the tile edges (which
#' move from step to step).
#'
#' @section Progress and interruption:
#' `progress` defaults to `interactive()` (the Python default is `FALSE`): a console
#' progress bar is useful at the console or in RStudio but would only clutter logs, knitted
#' documents and tests. Press Esc (or Ctrl+C) to stop a dream: it stops after the current
#' step and the call is interrupted as usual.
#'
#' @section Objectives: layers, channels, classes and schedules:
#' Each name of `layers` is a layer key:
#' * `"mixed4"`: the whole layer (see [list_layers()] for the names);
#' * `"mixed4:97"`, `"mixed4:97,120"`, `"mixed4:0-15"`: some channels of it (indices from
#'   0, ranges inclusive), with the same `loss` over just those channels;
#' * `"predictions:207"`: an ImageNet class, by its pre-softmax logit (averaged over the
#'   classes named). Classes need the network's classification top, so weights of the whole
#'   network (`weights = "imagenet"`, or a file that has the top).
#'
#' Names with a colon are written in backquotes or quotes, e.g.
#' `list("mixed4:97" = 1, mixed3 = 0.5)`.
#'
#' `layers` may also be an unnamed list of such lists, one per octave, smallest octave
#' first, e.g. `list(list(mixed3 = 1), list(mixed5 = 1, mixed6 = 2))`: the small octaves
#' shape the picture and the large ones its details. A list shorter than `num_octave`
#' repeats its last element; a longer one is an error.
#'
#' @section Guides and masks:
#' With `guide`, each chosen layer pulls the dream toward what the network sees in the
#' guide picture: every position of the dream's activation is pushed toward the guide's
#' activation it matches best (the guide is seen at most 512 pixels on its longer side;
#' class keys are not guided). With `mask`, a grey picture resized to each octave
#' multiplies every step: black keeps the photo, grey dreams less, white dreams fully.
#'
#' @section Models of your own:
#' `model` may be a Keras model object: a Python `keras.Model` reached through reticulate,
#' such as a model made with the keras3 package or
#' `reticulate::import("keras")$applications$VGG16(include_top = FALSE, weights = NULL)`.
#' It is passed to the engine untouched and dreamed with its own weights (`weights` is not
#' used); it must be a functional or sequential model taking images of any size (built with
#' input shape `c(NA, NA, 3)`). Its layer names are given by [list_layers()]. `preprocess`
#' and `deprocess` say how its input is scaled: "tf" (the default, -1 to 1), "caffe" (BGR
#' minus the ImageNet means) or "torch" (0 to 1, standardised with the ImageNet means and
#' deviations), or two R functions that map an array of pixels 0 to 255 (any dim ending
#' in 3 colour channels, RGB) to the network's input and back. The functions receive and
#' must return arrays of the same dim.
#'
#' @param image The picture: a file path (JPEG, PNG, ...), a numeric array of pixels with
#'   values from 0 to 255 (height x width grey, height x width x 3 RGB or x 4 RGBA; a
#'   `"deep_dream"` result works), a raster, or a magick image.
#' @param layers Layer contributions: a named list (or named numeric vector) of layer key =
#'   coefficient, e.g. `list(mixed2 = 0.2, mixed3 = 0.8)` or `list("mixed4:97" = 1)`, or an
#'   unnamed list of such lists, one per octave (see the sections below); see
#'   [list_layers()] for the layer names.
#' @param preset Name of a preset (see [dream_presets()]): "jellyfish", "chollet",
#'   "tutorial", "acid" or "doggos".
#' @param model The network: "inception_v3" (default), "vgg16", ... (see [list_layers()]),
#'   or a Keras model object (see "Models of your own" below).
#' @param weights "imagenet" (Keras downloads and caches them), `NULL` for an untrained
#'   (randomly initialised) network, or the path of a weights file.
#' @param step Size of each gradient-ascent step (a non-negative number).
#' @param num_octave Number of octaves (scales), a whole number from 1 to 50.
#' @param octave_scale Size ratio between successive octaves (at least 1).
#' @param iterations Gradient steps per octave (a non-negative whole number).
#' @param max_loss Stop an octave before a step whose loss is above this; `NULL` never stops.
#' @param loss "l2" (mean of squared activations, border cropped) or "mean".
#' @param border Pixels cropped off each side of an activation by the "l2" loss.
#' @param normalize Gradient normalisation: "mean_abs" (divide by the mean absolute
#'   value), "std" (by the standard deviation) or "laplacian" (each band of a
#'   `lap_levels`-band Laplacian pyramid of the gradient divided by its own standard
#'   deviation: larger, smoother shapes).
#' @param clip If `TRUE`, keep the image in the network's input range after each step.
#' @param jitter Largest random shift (in pixels) applied before each step and undone after.
#' @param seed Seed of the random jitter (`NULL`: a fresh seed each time).
#' @param learning_phase 0 (inference) or 1 (batch normalisation uses the picture's own
#'   statistics, as the R blog's `k_set_learning_phase(1)`); the weights never change.
#' @param tile_size How to split the picture to save memory: "auto" (the default) computes
#'   the gradient on tiles only when the largest octave would not fit `memory_budget`, and
#'   then says so with a message; a whole number computes it on tiles of at most that many
#'   pixels a side (at least twice the network's smallest input, 150 for InceptionV3);
#'   `NULL` never tiles.
#' @param memory_budget Gigabytes of memory the dream may use when `tile_size` is "auto" (a
#'   positive number); `NULL` (the default) allows 60% of the memory available when the
#'   dream starts. If even the smallest tiles would not fit, the dream stops with an error
#'   that gives the numbers, before it starts.
#' @param precision "float32", "bfloat16" or "float16" for the network's computation, or
#'   "auto" for what is fast and keeps quality on this machine (bfloat16 on CPUs with native
#'   bfloat16 and on recent GPUs, float16 on older GPUs, float32 elsewhere). The reduced
#'   precisions keep the first convolution (InceptionV3: the first two) in float32, so that
#'   the picture itself is not rounded.
#' @param save_octaves A folder: the dream at the end of each octave is written there as a PNG.
#' @param output A file to write the dream to (PNG, JPEG, ...), written atomically; it
#'   keeps the input's mode (grey stays grey, an alpha channel is kept). An existing file
#'   is replaced.
#' @param progress Show a progress bar in the console.
#' @param callback `NULL` or a function `callback(octave, step, loss)` called after each
#'   step, with octave and step counted from 1 (octave 1 is the smallest); if it returns
#'   `TRUE` the dream stops and the dream so far is returned.
#' @param optimizer "ascent" (gradient ascent) or "lbfgs" (L-BFGS rounds, for the VGG16
#'   presets).
#' @param continuity Weight of the continuity (total variation) penalty subtracted from the
#'   objective, with either optimizer (non-negative).
#' @param dream_l2 Weight of the image L2 penalty subtracted from the objective, with either
#'   optimizer (non-negative).
#' @param lbfgs_evaluations Function evaluations per L-BFGS round (a positive whole number).
#' @param overwrite Allow `output` to be the input file itself (replacing the photo).
#' @param guide A picture to dream toward, given like `image`: a file path, a numeric array
#'   of pixels 0 to 255, a `"deep_dream"` result, a raster or a magick image; `NULL` (the
#'   default) for none.
#' @param mask Where to dream: a grey picture's file path, or a numeric matrix (height x
#'   width) of values from 0 to 1 (or from 0 to 255, when any value is above 1), or a
#'   logical matrix (`TRUE` dreams); it is resized to each octave, so any size works. An
#'   array height x width x 3 (or x 4, a raster or a magick image) is made grey with the
#'   weights used for colour files (0.299 red, 0.587 green, 0.114 blue; alpha ignored).
#'   `NULL` (the default) dreams everywhere.
#' @param lap_levels Bands of the "laplacian" normalisation's pyramid, a whole number from
#'   1 to 12 (default 4).
#' @param smoothing Standard deviation, in pixels, of a Gaussian blur of each gradient, from
#'   0 (the default: no blur) to 100: smoother, less pixel-level dreams.
#' @param preprocess,deprocess With a Keras model object as `model`: "tf" (the default),
#'   "caffe" or "torch", or two functions from pixels 0 to 255 to the network's input and
#'   back (see "Models of your own"). Not used with a model name, which knows its own.
#' @return The dream: an array of dim height x width x 3 with values from 0 to 255 and class
#'   "deep_dream"; `plot()` draws it, `as.raster()` and [as_magick()] convert it, and
#'   `png::writePNG(dream / 255)` writes it. If `output` is given it is also written there.
#' @seealso [dream_gallery()] to compare layers or channels side by side;
#'   [gradient_ascent()] and the other building blocks, to follow the method step by step;
#'   `vignette("jellyfish", package = "deepdream")`.
#' @examples
#' if (pydream_available()) {
#'   img <- example_image("jellyfish")
#'   # weights = NULL (an untrained network) keeps the example quick and offline;
#'   # leave the default "imagenet" for real dreams.
#'   dream <- deep_dream(img, layers = list(mixed3 = 1, mixed5 = 2), weights = NULL,
#'                       num_octave = 2L, iterations = 3L)
#'   plot(dream)
#'
#'   # channels 0 to 15 of mixed4, on the right half of a small copy only
#'   small <- deprocess_image(resize_img(preprocess_image(img), c(150L, 225L)))
#'   mask <- matrix(0, 150L, 225L)
#'   mask[, 113:225] <- 1
#'   dream <- deep_dream(small, layers = list("mixed4:0-15" = 1), mask = mask,
#'                       weights = NULL, num_octave = 1L, iterations = 3L, border = 0L)
#'   plot(dream)
#' }
#' \dontrun{
#' # The R blog's settings:
#' dream <- deep_dream(example_image("jellyfish"), preset = "jellyfish")
#' # Toward the clouds of another photo, mixed3 on the small octaves and mixed5 after:
#' dream <- deep_dream(example_image("jellyfish"), guide = "clouds.jpg",
#'                     layers = list(list(mixed3 = 1), list(mixed5 = 1)))
#' # A Keras model of your own:
#' keras <- reticulate::import("keras")
#' vgg <- keras$applications$VGG16(include_top = FALSE, weights = "imagenet")
#' dream <- deep_dream(example_image("jellyfish"), model = vgg, preprocess = "caffe",
#'                     layers = list(block4_conv3 = 1))
#' }
#' @export
deep_dream <- function(image, layers = NULL, preset = NULL, model = "inception_v3",
                       weights = "imagenet", step = 0.01, num_octave = 3L,
                       octave_scale = 1.4, iterations = 20L, max_loss = 15,
                       loss = "l2", border = 2L, normalize = "mean_abs", clip = FALSE,
                       jitter = 0L, seed = NULL, learning_phase = 0L, tile_size = "auto",
                       memory_budget = NULL, precision = "float32", save_octaves = NULL,
                       output = NULL, progress = interactive(), callback = NULL,
                       optimizer = "ascent", continuity = 0, dream_l2 = 0,
                       lbfgs_evaluations = 7L, overwrite = FALSE, guide = NULL, mask = NULL,
                       lap_levels = 4L, smoothing = 0, preprocess = NULL, deprocess = NULL) {
  # Only the settings given are passed on, so that a preset can set the others.
  given <- setdiff(names(match.call())[-1], c("image", "progress", "callback"))
  settings <- check_dream_settings(mget(given, envir = environment()))
  check_flag(progress, "progress")
  if (!is.null(callback) && !is.function(callback)) {
    abort_argument(sprintf(
      "`callback` must be a function(octave, step, loss) or NULL, not %s.",
      describe_value(callback)
    ))
  }
  image <- check_image(image)

  image <- image_to_python(image)
  kwargs <- settings_to_python(settings)
  runner <- new_step_runner(progress, callback, kwargs)
  if (!is.null(runner$callback)) {
    r_function <- reticulate::r_to_py(runner$callback, convert = TRUE)
    kwargs$callback <- python_bridge()$r_callback(r_function)
  }
  on.exit(runner$close(), add = TRUE)
  result <- call_pydream("deep_dream", list(image), kwargs)
  runner$finish()
  as_deep_dream(result)
}

# The R checks of each dream setting, by name: each returns the value ready for Python or,
# for guide, mask, preprocess and deprocess, an R value that settings_to_python() converts.
dream_setting_checkers <- list(
  layers = function(x) check_layers(x),
  preset = function(x) check_string(x, "preset", allow_null = TRUE),
  model = function(x) check_model(x),
  weights = function(x) check_weights(x),
  step = function(x) check_number(x, "step", min = 0),
  num_octave = function(x) check_whole(x, "num_octave", min = 1, max = 50),
  octave_scale = function(x) check_number(x, "octave_scale", min = 1),
  iterations = function(x) check_whole(x, "iterations", min = 0),
  max_loss = function(x) check_number(x, "max_loss", allow_null = TRUE),
  loss = function(x) check_choice(x, "loss", c("l2", "mean")),
  border = function(x) check_whole(x, "border", min = 0),
  normalize = function(x) check_choice(x, "normalize", c("mean_abs", "std", "laplacian")),
  clip = function(x) check_flag(x, "clip"),
  jitter = function(x) check_whole(x, "jitter", min = 0),
  seed = function(x) check_whole(x, "seed", min = 0, allow_null = TRUE),
  learning_phase = function(x) check_whole(x, "learning_phase", min = 0, max = 1),
  tile_size = function(x) check_tile_size(x),
  memory_budget = function(x) check_memory_budget(x),
  precision = function(x) check_choice(x, "precision", c("float32", "bfloat16", "float16", "auto")),
  save_octaves = function(x) check_octave_folder(x),
  output = function(x) check_output_path(x, "output"),
  optimizer = function(x) check_choice(x, "optimizer", c("ascent", "lbfgs")),
  continuity = function(x) check_number(x, "continuity", min = 0),
  dream_l2 = function(x) check_number(x, "dream_l2", min = 0),
  lbfgs_evaluations = function(x) check_whole(x, "lbfgs_evaluations", min = 1),
  overwrite = function(x) check_flag(x, "overwrite"),
  guide = function(x) if (is.null(x)) NULL else check_image(x, "guide"),
  mask = function(x) check_mask(x),
  lap_levels = function(x) check_whole(x, "lap_levels", min = 1, max = 12),
  smoothing = function(x) check_number(x, "smoothing", min = 0, max = 100),
  preprocess = function(x) check_processing(x, "preprocess"),
  deprocess = function(x) check_processing(x, "deprocess")
)

# Check every setting given (a named list, NULL values kept); return them as a named list.
# Nothing here needs Python: settings_to_python() converts what must become Python values.
check_dream_settings <- function(values) {
  settings <- list()
  for (name in intersect(names(dream_setting_checkers), names(values))) {
    value <- dream_setting_checkers[[name]](values[[name]])
    # `settings[name] <- list(NULL)` keeps an explicit NULL (Python's None).
    settings[name] <- list(value)
  }
  if (!is.null(settings$num_octave) && !is.null(settings$octave_scale) &&
      settings$num_octave > 1L && settings$octave_scale == 1) {
    abort_argument("`octave_scale` must be greater than 1 when `num_octave` is more than 1.")
  }
  check_schedule_length(settings, preset_given = !is.null(settings[["preset"]]))
  check_processing_pair(
    if ("model" %in% names(settings)) settings[["model"]] else formals(deep_dream)$model,
    settings[["preprocess"]], settings[["deprocess"]]
  )
  settings
}

# The deep_dream() settings that the functions taking its settings in `...` (galleries,
# animations, batches) do not take there: their own arguments, or not their business.
not_in_dots_settings <- c("layers", "preset", "save_octaves", "output", "overwrite")

# `...` of a function that takes deep_dream() settings (named, known, each once), checked
# as in deep_dream() together with `also` (such as the function's own `layers` and
# `preset`). `excluded` are the settings it does not take there (its own arguments, or
# none of its business); `excluded_text` says them in the error (default: `excluded` and
# `callback`).
check_dots_settings <- function(values, what, for_what, excluded, excluded_text = NULL,
                                also = list()) {
  value_names <- names(values)
  if (length(values) && (is.null(value_names) || !all(nzchar(value_names)))) {
    abort_argument(paste0(
      "Every setting in `...` must be named, e.g. `iterations = 5`: `...` takes the ",
      "settings of deep_dream() ", for_what, "."
    ))
  }
  unknown <- setdiff(value_names, setdiff(names(dream_setting_checkers), excluded))
  if (length(unknown)) {
    shown <- excluded_text %||% paste0("`", c(excluded, "callback"), "`")
    shown <- if (length(shown) > 1L) {
      paste(paste(utils::head(shown, -1L), collapse = ", "), "and", utils::tail(shown, 1L))
    } else {
      shown
    }
    abort_argument(sprintf(
      paste0("%s() has no setting %s; `...` takes the settings of deep_dream() %s ",
             "(all but %s)."),
      what, paste0("`", unknown, "`", collapse = ", "), for_what, shown
    ))
  }
  if (anyDuplicated(value_names)) {
    abort_argument(sprintf(
      "`%s` is given more than once.", value_names[anyDuplicated(value_names)]
    ))
  }
  check_dream_settings(c(also, values))
}

# A per-octave layer list may not be longer than the octaves: known in R when num_octave
# is given, or when neither it nor a preset is (the default, 3, then holds).
check_schedule_length <- function(settings, preset_given) {
  layers <- settings[["layers"]]
  if (is.null(layers) || !is.null(names(layers))) {
    return(invisible())
  }
  octaves <- settings[["num_octave"]]
  if (is.null(octaves) && !preset_given) {
    octaves <- formals(deep_dream)$num_octave
  }
  if (!is.null(octaves) && length(layers) > octaves) {
    abort_argument(sprintf(
      paste0("`layers` has %d per-octave mappings but the dream has only %d octave%s; ",
             "give at most %d mapping%s or raise `num_octave`."),
      length(layers), octaves, if (octaves == 1L) "" else "s", octaves,
      if (octaves == 1L) "" else "s"
    ))
  }
  invisible()
}

# Checked settings -> values for Python: pictures as NumPy arrays, R functions wrapped.
settings_to_python <- function(settings) {
  if (!is.null(settings[["guide"]])) {
    settings[["guide"]] <- image_to_python(settings[["guide"]])
  }
  if (!is.null(settings[["mask"]])) {
    settings[["mask"]] <- mask_to_python(settings[["mask"]])
  }
  for (name in intersect(c("preprocess", "deprocess"), names(settings))) {
    value <- settings[[name]]
    if (is.function(value) && !inherits(value, "python.builtin.object")) {
      settings[[name]] <- r_array_function(value, name)
    }
  }
  settings
}

check_octave_folder <- function(x) {
  if (is.null(x)) {
    return(NULL)
  }
  check_string(x, "save_octaves")
  path <- path.expand(x)
  if (file.exists(path) && !dir.exists(path)) {
    abort_argument(sprintf("`save_octaves` must be a folder, but \"%s\" is a file.", x))
  }
  path
}

# The body of an engine callback run from R: its answer (TRUE: stop), or TRUE (stop) when
# the user interrupts (state$interrupted) or the body fails (state$error, raised in R once
# the engine has returned).
guarded_callback <- function(state, body) {
  tryCatch(isTRUE(body()), interrupt = function(e) {
    state$interrupted <- TRUE
    TRUE
  }, error = function(e) {
    state$error <- e
    TRUE
  })
}

# Close a runner's console progress bar (state$bar), if it has one.
close_progress_bar <- function(state) {
  if (!is.null(state$bar)) {
    close(state$bar)
    state$bar <- NULL
  }
  invisible()
}

# The R side of the engine's per-step callback: a console progress bar, the user's
# callback (1-based octave and step) and interruption.
new_step_runner <- function(progress, callback, kwargs) {
  state <- new.env(parent = emptyenv())
  state$bar <- NULL
  state$interrupted <- FALSE
  state$error <- NULL
  if (!progress && is.null(callback)) {
    return(list(callback = NULL, close = function() invisible(), finish = function() invisible()))
  }
  if (progress) {
    plan <- from_python(python_bridge()$step_plan(as_py_kwargs(kwargs)))
    state$iterations <- plan$iterations
    state$total <- max(1L, plan$num_octave * plan$iterations)
    state$bar <- utils::txtProgressBar(min = 0, max = state$total, style = 3)
  }
  step_callback <- function(octave, step, loss) {
    guarded_callback(state, function() {
      if (!is.null(state$bar)) {
        utils::setTxtProgressBar(state$bar, min(state$total, octave * state$iterations + step + 1))
      }
      !is.null(callback) && isTRUE(callback(octave + 1L, step + 1L, loss))
    })
  }
  close_bar <- function() close_progress_bar(state)
  finish <- function() {
    if (!is.null(state$error)) {
      close_bar()
      stop(state$error)
    }
    if (state$interrupted) {
      close_bar()
      signal_interrupt()
    }
    if (!is.null(state$bar)) {
      utils::setTxtProgressBar(state$bar, state$total)
    }
    close_bar()
  }
  list(callback = step_callback, close = close_bar, finish = finish)
}

# Re-raise a user interrupt caught during a dream, as R does for Esc / Ctrl+C.
signal_interrupt <- function() {
  condition <- structure(class = c("interrupt", "condition"), list(message = "", call = NULL))
  signalCondition(condition)
  invokeRestart("abort")
}
