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
#' @param preset Name of a preset (see [dream_presets()]): "jellyfish", "chollet",
#'   "tutorial", "acid" or "doggos".
#' @param callback `NULL` or a function `callback(octave, step, loss)` called after each
#'   step, with octave and step counted from 1 (octave 1 is the smallest); if it returns
#'   `TRUE` the dream stops and the dream so far is returned.
#' @inheritParams dream-settings
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
#' @name deep_dream
NULL

# The body of deep_dream(), whose signature is generated from the schema
# (settings-generated.R): `env` holds its arguments, `given` names those the call gave.
run_deep_dream <- function(env, given) {
  # Only the settings given are passed on, so that a preset can set the others.
  given <- setdiff(given, c("image", "progress", "callback"))
  settings <- check_dream_settings(mget(given, envir = env))
  progress <- check_flag(env$progress, "progress")
  callback <- env$callback
  if (!is.null(callback) && !is.function(callback)) {
    abort_argument(sprintf(
      "`callback` must be a function(octave, step, loss) or NULL, not %s.",
      describe_value(callback)
    ))
  }
  image <- image_to_python(check_image(env$image))
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

# The settings that deep_dream() checks in R and passes on when given: its arguments but
# the picture, the progress bar and the callback (R's own), in its order.
dream_setting_names <- function() {
  setdiff(names(formals(deep_dream)), c("image", "progress", "callback"))
}

# The R check of each kind of setting (see `kind` in dream_schema, settings-generated.R):
# function(x, name, spec) returning the value ready for Python or, for guide, mask,
# preprocess and deprocess, an R value that settings_to_python() converts.
setting_kind_checks <- list(
  number = function(x, name, spec) {
    check_number(x, name, min = spec$minimum, above = spec$strictly_above,
                 max = spec$maximum, allow_null = spec$allow_null)
  },
  whole = function(x, name, spec) {
    # R's integers end at .Machine$integer.max, which check_whole() always enforces
    maximum <- if (identical(spec$maximum, as.double(.Machine$integer.max))) NULL else spec$maximum
    check_whole(x, name, min = spec$minimum, max = maximum, allow_null = spec$allow_null)
  },
  choice = function(x, name, spec) {
    if (is.null(x) && spec$allow_null) NULL else check_choice(x, name, spec$choices)
  },
  flag = function(x, name, spec) check_flag(x, name),
  layers = function(x, name, spec) check_layers(x, name),
  model = function(x, name, spec) check_model(x, name),
  weights = function(x, name, spec) check_weights(x),
  tile_size = function(x, name, spec) check_tile_size(x, name),
  picture = function(x, name, spec) if (is.null(x)) NULL else check_image(x, name),
  mask = function(x, name, spec) check_mask(x, name),
  processing = function(x, name, spec) check_processing(x, name),
  path = function(x, name, spec) check_output_path(x, name),
  "function" = function(x, name, spec) {
    if (!is.null(x) && !is.function(x)) {
      abort_argument(sprintf("`%s` must be a function or NULL, not %s.", name, describe_value(x)))
    }
    x
  }
)

# Settings whose R check says more than their kind's: a folder, gigabytes.
setting_name_checks <- list(
  save_octaves = function(x, name, spec) check_octave_folder(x),
  memory_budget = function(x, name, spec) check_memory_budget(x, name, max = spec$maximum)
)

# Check one setting (or `preset`) in R alone: the value ready for Python, or an error.
check_setting <- function(name, x) {
  if (identical(name, "preset")) {
    return(check_string(x, "preset", allow_null = TRUE))
  }
  spec <- dream_schema[[name]]
  check <- setting_name_checks[[name]] %||% setting_kind_checks[[spec$kind]]
  check(x, name, spec)
}

# Check every setting given (a named list, NULL values kept); return them as a named list.
# Nothing here needs Python: settings_to_python() converts what must become Python values.
check_dream_settings <- function(values) {
  settings <- list()
  for (name in intersect(dream_setting_names(), names(values))) {
    value <- check_setting(name, values[[name]])
    # `settings[name] <- list(NULL)` keeps an explicit NULL (Python's None).
    settings[name] <- list(value)
  }
  if (!is.null(settings$num_octave) && !is.null(settings$octave_scale) &&
      settings$num_octave > 1L && settings$octave_scale == 1) {
    abort_argument("`octave_scale` must be greater than 1 when `num_octave` is more than 1.")
  }
  preset_given <- !is.null(settings[["preset"]])
  check_schedule_length(settings, preset_given = preset_given)
  check_optimizer_settings(settings, preset_given = preset_given)
  check_processing_pair(
    if ("model" %in% names(settings)) settings[["model"]] else dream_schema$model$default,
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
  unknown <- setdiff(value_names, setdiff(dream_setting_names(), excluded))
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

# Settings given explicitly that the optimizer does not use (known when `optimizer` is
# given, or when neither it nor a preset is: the default holds): an error, as in the engine
# (pydream.settings.check_optimizer_settings), unless the value is one that means "not used"
# (`inert`). A setting whose meaning moved to another with this optimizer (jitter ->
# lbfgs_noise with "lbfgs") is a warning: the engine uses its value there.
check_optimizer_settings <- function(settings, preset_given) {
  optimizer <- settings[["optimizer"]]
  if (is.null(optimizer)) {
    if (preset_given) {
      return(invisible())
    }
    optimizer <- dream_schema$optimizer$default
  }
  for (name in intersect(names(settings), names(dream_schema))) {
    spec <- dream_schema[[name]]
    value <- settings[[name]]
    if (optimizer %in% spec$optimizers) {
      next
    }
    if (!is.null(spec$moved_to)) {
      if (identical(spec$moved_to[["optimizer"]], optimizer) && !identical(value, spec$default)) {
        warn_moved_setting(name, value, spec$moved_to)
      }
      next
    }
    if (any(vapply(spec$inert, identical, logical(1), value))) {
      next
    }
    users <- paste0("optimizer = \"", spec$optimizers, "\"", collapse = " and ")
    abort_argument(sprintf(
      "`%s` applies to %s only, not optimizer = \"%s\": leave it out or change the optimizer.",
      name, users, optimizer
    ))
  }
  invisible()
}

# A setting given under its old meaning (jitter with optimizer = "lbfgs"): the engine uses
# the value as the new setting's; say so, as a warning of class "deepdream_deprecated_warning".
warn_moved_setting <- function(name, value, moved_to) {
  target <- moved_to[["setting"]]
  message <- sprintf(
    paste0("`%s` with optimizer = \"%s\" is deprecated: it is now called `%s`; ",
           "%s = %s is used as %s = %s."),
    name, moved_to[["optimizer"]], target, name, format(value), target, format(value)
  )
  warning(structure(
    class = c("deepdream_deprecated_warning", "warning", "condition"),
    list(message = message, call = NULL)
  ))
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
    octaves <- dream_schema$num_octave$default
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
