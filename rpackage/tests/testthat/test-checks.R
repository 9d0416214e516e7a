# Argument checks run in R, before Python is called: these tests need no Python.

test_that("whole numbers are checked and become integers", {
  expect_identical(deepdream:::check_whole(3, "iterations", min = 0), 3L)
  expect_identical(deepdream:::check_whole(0L, "iterations", min = 0), 0L)
  expect_null(deepdream:::check_whole(NULL, "seed", min = 0, allow_null = TRUE))
  expect_error(deepdream:::check_whole(-1, "iterations", min = 0),
               "`iterations` must be a single non-negative whole number, not -1",
               fixed = TRUE)
  expect_error(deepdream:::check_whole(2.5, "iterations", min = 0), "not 2.5", fixed = TRUE)
  expect_error(deepdream:::check_whole("10", "iterations", min = 0),
               "not the string \"10\"", fixed = TRUE)
  expect_error(deepdream:::check_whole(c(1, 2), "num_octave", min = 1, max = 50),
               "whole number from 1 to 50, not a double vector of length 2", fixed = TRUE)
  expect_error(deepdream:::check_whole(NA, "jitter", min = 0), "not NA", fixed = TRUE)
  expect_error(deepdream:::check_whole(2, "learning_phase", min = 0, max = 1),
               "from 0 to 1", fixed = TRUE)
  expect_error(deepdream:::check_whole(NULL, "iterations", min = 0), "not NULL", fixed = TRUE)
  expect_error(deepdream:::check_whole(Inf, "iterations", min = 0), "not Inf", fixed = TRUE)
})

test_that("numbers, flags, strings and choices are checked", {
  expect_identical(deepdream:::check_number(1L, "step", min = 0), 1)
  expect_error(deepdream:::check_number("big", "step", min = 0),
               "`step` must be a single finite non-negative number, not the string \"big\"",
               fixed = TRUE)
  expect_error(deepdream:::check_number(NaN, "step"), "`step`", fixed = TRUE)
  expect_null(deepdream:::check_number(NULL, "max_loss", allow_null = TRUE))
  expect_error(deepdream:::check_number(-0.1, "continuity", min = 0), "not -0.1", fixed = TRUE)
  expect_identical(deepdream:::check_flag(TRUE, "clip"), TRUE)
  expect_error(deepdream:::check_flag("yes", "clip"), "`clip` must be TRUE or FALSE",
               fixed = TRUE)
  expect_error(deepdream:::check_flag(NA, "clip"), "not NA", fixed = TRUE)
  expect_error(deepdream:::check_string(character(), "model"),
               "not an empty character vector", fixed = TRUE)
  expect_error(deepdream:::check_choice("l1", "loss", c("l2", "mean")),
               "`loss` must be one of \"l2\", \"mean\", not the string \"l1\"", fixed = TRUE)
})

test_that("tile_size is \"auto\", NULL or a whole number of pixels", {
  expect_identical(deepdream:::check_tile_size("auto"), "auto")
  expect_null(deepdream:::check_tile_size(NULL))
  expect_identical(deepdream:::check_tile_size(512), 512L)
  expect_error(deepdream:::check_tile_size("huge"),
               paste0("`tile_size` must be \"auto\" (tile only when needed), NULL (never ",
                      "tile) or a positive whole number of pixels, not the string \"huge\"."),
               fixed = TRUE)
  expect_error(deepdream:::check_tile_size(0), "not 0.", fixed = TRUE)
  expect_error(deepdream:::check_tile_size(300.5), "not 300.5", fixed = TRUE)
  expect_error(deepdream:::check_tile_size(c("auto", "auto")), "vector of length 2")
  expect_error(deepdream:::check_tile_size(NA), "not NA", fixed = TRUE)
  expect_error(deepdream:::check_tile_size(TRUE), class = "deepdream_argument_error")
})

test_that("memory_budget is NULL or a positive number of gigabytes", {
  expect_null(deepdream:::check_memory_budget(NULL))
  expect_identical(deepdream:::check_memory_budget(4L), 4)
  expect_identical(deepdream:::check_memory_budget(0.25), 0.25)
  expect_error(deepdream:::check_memory_budget(0),
               paste0("`memory_budget` must be a single positive number of gigabytes ",
                      "(such as 4 or 0.5), or NULL for 60% of the available memory, not 0."),
               fixed = TRUE)
  expect_error(deepdream:::check_memory_budget(-1), "not -1.", fixed = TRUE)
  expect_error(deepdream:::check_memory_budget("big"), "not the string \"big\"", fixed = TRUE)
  expect_error(deepdream:::check_memory_budget(Inf), "not Inf", fixed = TRUE)
  expect_error(deepdream:::check_memory_budget(NaN), "not NaN", fixed = TRUE)
  expect_error(deepdream:::check_memory_budget(c(1, 2)), "vector of length 2")
})

test_that("layer contributions are a named list of numbers", {
  expect_identical(deepdream:::check_layers(list(mixed2 = 0.2, mixed3 = 1L)),
                   list(mixed2 = 0.2, mixed3 = 1))
  expect_identical(deepdream:::check_layers(c(mixed4 = 2)), list(mixed4 = 2))
  expect_null(deepdream:::check_layers(NULL))
  expect_error(deepdream:::check_layers(list(0.2, 0.8)), "must be named after a layer")
  expect_error(deepdream:::check_layers(list()), "`layers` is empty")
  expect_error(deepdream:::check_layers("mixed3"), "named list of layer contributions")
  expect_error(deepdream:::check_layers(list(mixed3 = "a lot")),
               "layer \"mixed3\" in `layers` must be a single finite number", fixed = TRUE)
  expect_error(deepdream:::check_layers(list(mixed3 = 1, mixed3 = 2)), "more than once")
})

test_that("pixel arrays are checked", {
  img <- array(c(0, 128, 255), dim = c(2, 2, 3))
  expect_identical(storage.mode(deepdream:::check_pixels(img)), "integer")
  expect_identical(dim(deepdream:::check_pixels(array(1, c(4, 5, 1)))), c(4L, 5L))
  expect_error(deepdream:::check_pixels(array(300, c(2, 2, 3))), "range from 300 to 300")
  expect_error(deepdream:::check_pixels(array(0.5, c(2, 2, 3))), "multiply it by 255")
  expect_error(deepdream:::check_pixels(array(1, c(2, 2, 2))), "height x width x 3")
  expect_error(deepdream:::check_pixels(matrix(NA_real_, 2, 2)), "missing values")
  raster <- as.raster(matrix(c("#FF0000", "#00FF00", "#0000FF", "#FFFFFF"), 2))
  rgba <- deepdream:::raster_to_array(raster)
  expect_identical(dim(rgba), c(2L, 2L, 4L))
  expect_identical(as.integer(rgba[1, 1, ]), c(255L, 0L, 0L, 255L))
  expect_identical(as.integer(rgba[1, 2, ]), c(0L, 0L, 255L, 255L))
})

test_that("deep_dream() rejects bad arguments before starting Python", {
  missing_file <- file.path(tempdir(), "no-such-photo.jpg")
  expect_error(deep_dream(missing_file), "`image` file not found", fixed = TRUE)
  expect_error(deep_dream(tempdir()), "is a folder", fixed = TRUE)
  photo <- tempfile(fileext = ".jpg")
  file.create(photo)
  expect_error(deep_dream(photo, iterations = -1),
               "`iterations` must be a single non-negative whole number, not -1",
               fixed = TRUE)
  expect_error(deep_dream(photo, step = "0.01"),
               "`step` must be a single finite non-negative number, not the string \"0.01\"",
               fixed = TRUE)
  expect_error(deep_dream(photo, num_octave = 0), "`num_octave`", fixed = TRUE)
  expect_error(deep_dream(photo, layers = list(0.2)), "must be named after a layer")
  expect_error(deep_dream(photo, weights = "no-such-weights.h5"),
               "\"no-such-weights.h5\" is not a file", fixed = TRUE)
  expect_error(deep_dream(photo, learning_phase = 2L), "`learning_phase`", fixed = TRUE)
  expect_error(deep_dream(photo, precision = "float64"), "`precision` must be one of")
  expect_error(deep_dream(photo, callback = "stop"), "`callback` must be a function")
  expect_error(deep_dream(photo, progress = NA), "`progress` must be TRUE or FALSE")
  expect_error(deep_dream(photo, num_octave = 3L, octave_scale = 1),
               "`octave_scale` must be greater than 1")
  expect_error(deep_dream(photo, output = file.path(tempdir(), "no-dir", "x.png")),
               "does not exist")
  expect_error(deep_dream(photo, iterations = -1), class = "deepdream_argument_error")
  expect_error(deep_dream(photo, tile_size = "huge"), "`tile_size` must be \"auto\"")
  expect_error(deep_dream(photo, memory_budget = -1), "`memory_budget` must be a single positive")
  expect_error(deep_dream(photo, step = NaN), "not NaN", fixed = TRUE)
})

test_that("building blocks check their arguments in R", {
  expect_error(resize_img(array(0, c(1, 4, 4, 3)), c(0, 3)),
               "two positive whole numbers", fixed = TRUE)
  expect_error(resize_img(array(0, c(4, 4, 3)), c(2, 2)), "dim 1 x height x width x 3")
  expect_error(deprocess_image(matrix(0, 2, 2)), "numeric image array")
  expect_error(gradient_ascent(array(0, c(1, 4, 4, 3)), iterations = -2, step = 0.01),
               "`iterations` must be a single non-negative whole number, not -2",
               fixed = TRUE)
  expect_error(gradient_ascent(array(0, c(1, 4, 4, 3)), iterations = 1, step = 0.01,
                               tile_size = "big"), "`tile_size` must be \"auto\"")
  expect_error(gradient_ascent(array(0, c(1, 4, 4, 3)), iterations = 1, step = 0.01,
                               memory_budget = 0), "`memory_budget` must be a single positive")
  expect_error(save_img(array(0, c(2, 2, 3)), file.path(tempdir(), "nope", "a.png")),
               "does not exist")
  expect_error(octave_shapes(c(100, 100), num_octave = "3", octave_scale = 1.4),
               "`num_octave`")
  expect_error(list_layers(model = 3),
               paste0("`model` must be a model name such as \"inception_v3\" (see ",
                      "list_layers()) or a Keras model object, not 3."),
               fixed = TRUE)
  expect_error(install_deepdream(source = NA), "`source`")
})

test_that("Python error messages are turned into R errors, their text as it is", {
  err <- tryCatch(
    deepdream:::abort_python("ValueError", "weights must be 'imagenet', None or a path"),
    error = function(e) e
  )
  expect_s3_class(err, "deepdream_value_error")
  expect_s3_class(err, "deepdream_error")
  expect_identical(conditionMessage(err), "weights must be 'imagenet', None or a path")
  err <- tryCatch(deepdream:::abort_python("FileNotFoundError", "input image not found: x.jpg"),
                  error = function(e) e)
  expect_match(conditionMessage(err), "working directory", fixed = TRUE)
  err <- tryCatch(deepdream:::abort_python("RuntimeError", "something broke"),
                  error = function(e) e)
  expect_match(conditionMessage(err), "^RuntimeError: something broke")
  expect_match(conditionMessage(err), "last_python_error()", fixed = TRUE)
  # advice follows the message on the same line
  expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  err <- tryCatch(deepdream:::abort_python("ValueError", "first line\n  second line"),
                  error = function(e) e)
  expect_identical(conditionMessage(err), "first line second line")
  err <- tryCatch(
    deepdream:::abort_python("MemoryBudgetError", paste0(
      "a 100x100 dream needs about 0.1 GB, more than the memory budget of 0.0 GB; use ",
      "precision='bfloat16', or a larger memory_budget (in GB)"
    )),
    error = function(e) e
  )
  expect_s3_class(err, "deepdream_memory_budget_error")
  expect_match(conditionMessage(err), "^a 100x100 dream needs")
  expect_match(conditionMessage(err), "use precision='bfloat16', or", fixed = TRUE)
  # no word of a message is rewritten: a file named None.png stays None.png
  err <- tryCatch(
    deepdream:::abort_python("ImageError", "mask: input image None.png is not a picture",
                             chain = c("ImageError", "PydreamError"), builtins = "ValueError",
                             fields = list(path = "None.png", role = "mask")),
    error = function(e) e
  )
  expect_identical(conditionMessage(err), "mask: input image None.png is not a picture")
  expect_identical(
    deepdream:::python_error_line(paste0(
      "ModuleNotFoundError: No module named 'pydream'\n\nDetailed traceback:\n",
      "  File \"<string>\", line 1"
    )),
    "ModuleNotFoundError: No module named 'pydream'"
  )
})

test_that("engine notes are R messages of class deepdream_note", {
  note <- tryCatch(deepdream:::signal_note("dreaming in tiles"), message = function(m) m)
  expect_s3_class(note, "deepdream_note")
  expect_identical(conditionMessage(note), "dreaming in tiles\n")
  expect_silent(suppressMessages(deepdream:::signal_note("dreaming in tiles")))
})

test_that("the settings' bounds are the schema's (settings-generated.R)", {
  check <- function(...) deepdream:::check_dream_settings(list(...))
  expect_identical(check(border = 1e6)$border, 1000000L)
  expect_error(check(border = 1e6 + 1),
               "`border` must be a single whole number from 0 to 1000000, not 1000001.",
               fixed = TRUE)
  expect_identical(check(jitter = 1e6)$jitter, 1000000L)
  expect_error(check(jitter = 1e6 + 1), "from 0 to 1000000", fixed = TRUE)
  expect_identical(check(optimizer = "lbfgs", lbfgs_evaluations = 1e6)$lbfgs_evaluations,
                   1000000L)
  expect_error(check(optimizer = "lbfgs", lbfgs_evaluations = 1e6 + 1), "from 1 to 1000000",
               fixed = TRUE)
  expect_identical(check(memory_budget = 1e6)$memory_budget, 1e6)
  expect_error(check(memory_budget = 1e6 + 1), "at most 1000000", fixed = TRUE)
  expect_identical(check(seed = .Machine$integer.max)$seed, .Machine$integer.max)
  expect_identical(check(seed = 2^32 - 1)$seed, 2^32 - 1)  # numpy's seeds: past R's integers
  expect_error(check(seed = 2^32),
               "`seed` must be a single whole number from 0 to 4294967295 or NULL, not 4294967296.",
               fixed = TRUE)
  expect_identical(check(step = 0)$step, 0)
  expect_error(check(step = NA), "`step` must be a single finite non-negative number, not NA.",
               fixed = TRUE)
})

test_that("lbfgs_noise is a number from 0 to 255, for optimizer = \"lbfgs\"", {
  check <- function(...) deepdream:::check_dream_settings(list(...))
  expect_identical(check(optimizer = "lbfgs", lbfgs_noise = 5L),
                   list(optimizer = "lbfgs", lbfgs_noise = 5))
  expect_identical(check(optimizer = "lbfgs", lbfgs_noise = 255)$lbfgs_noise, 255)
  expect_error(check(optimizer = "lbfgs", lbfgs_noise = 255.5),
               "`lbfgs_noise` must be a single finite number from 0 to 255, not 255.5.",
               fixed = TRUE)
  expect_error(check(optimizer = "lbfgs", lbfgs_noise = -1), "not -1.", fixed = TRUE)
  expect_identical(formals(deep_dream)$lbfgs_noise, 0)
  photo <- tempfile(fileext = ".jpg")
  file.create(photo)
  expect_error(deep_dream(photo, optimizer = "lbfgs", lbfgs_noise = "a lot"),
               "`lbfgs_noise` must be", class = "deepdream_argument_error")
})

test_that("a setting the optimizer does not use is an error before Python is called", {
  check <- function(...) deepdream:::check_dream_settings(list(...))
  expect_error(check(optimizer = "lbfgs", normalize = "std"),
               paste0("`normalize` applies to optimizer = \"ascent\" only, not optimizer = ",
                      "\"lbfgs\": leave it out or change the optimizer."),
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(check(optimizer = "lbfgs", step = 0.1), "`step` applies to", fixed = TRUE)
  expect_error(check(optimizer = "lbfgs", smoothing = 1), "`smoothing` applies to", fixed = TRUE)
  # without optimizer and preset, the default optimizer ("ascent") holds
  expect_error(check(lbfgs_evaluations = 3L),
               paste0("`lbfgs_evaluations` applies to optimizer = \"lbfgs\" only, not ",
                      "optimizer = \"ascent\""), fixed = TRUE)
  expect_error(check(lbfgs_noise = 2), "`lbfgs_noise` applies to", fixed = TRUE)
  # a preset may choose the optimizer: the engine decides then
  expect_identical(check(preset = "acid", lbfgs_evaluations = 3L)$lbfgs_evaluations, 3L)
  # values that mean "not used" are fine with any optimizer
  expect_identical(check(optimizer = "lbfgs", tile_size = "auto")$tile_size, "auto")
  expect_true(is.null(check(optimizer = "lbfgs", tile_size = NULL)$tile_size))
  expect_error(check(optimizer = "lbfgs", tile_size = 512), "`tile_size` applies to",
               fixed = TRUE)
  expect_identical(check(optimizer = "ascent", normalize = "std")$normalize, "std")
  photo <- tempfile(fileext = ".jpg")
  file.create(photo)
  expect_error(deep_dream(photo, optimizer = "lbfgs", clip = TRUE), "`clip` applies to",
               fixed = TRUE)
  expect_error(dream_gallery(photo, optimizer = "lbfgs", normalize = "std"),
               "`normalize` applies to", fixed = TRUE)
})

test_that("jitter with optimizer = \"lbfgs\" is deprecated in favour of lbfgs_noise", {
  check <- function(...) deepdream:::check_dream_settings(list(...))
  expect_warning(settings <- check(optimizer = "lbfgs", jitter = 4L),
                 paste0("`jitter` with optimizer = \"lbfgs\" is deprecated: it is now called ",
                        "`lbfgs_noise`; jitter = 4 is used as lbfgs_noise = 4."),
                 fixed = TRUE, class = "deepdream_deprecated_warning")
  expect_identical(settings$jitter, 4L)  # passed on: the engine moves it
  expect_silent(check(optimizer = "lbfgs", jitter = 0L))
  expect_silent(check(optimizer = "ascent", jitter = 4L))
})

test_that("layer keys follow the engine's grammar (settings-generated.R)", {
  parse <- deepdream:::parse_layer_key
  expect_identical(parse("mixed4:0 - 15, 97"), list(layer = "mixed4", selected = TRUE))
  expect_identical(parse("predictions:207"), list(layer = "predictions", selected = TRUE))
  expect_identical(parse("mixed4:1000000")$selected, TRUE)
  expect_error(parse("mixed4:1000001"), "the index 1000001 in \"mixed4:1000001\" is beyond",
               fixed = TRUE)
  expect_error(parse("mixed4:3-1"), "runs backwards (3-1)", fixed = TRUE)
  expect_error(parse("mixed4:a"), "names select ImageNet classes", fixed = TRUE)
  for (bad in c("mixed4:", "mixed4:@", "mixed4:1-", "mixed4:-3", "mixed4:1,", "mixed4:1--2")) {
    expect_error(parse(bad), "must look like LAYER:CHANNEL", fixed = TRUE, label = bad)
  }
})

test_that("deep_dream() and gradient_ascent() take the schema's settings and defaults", {
  schema <- deepdream:::dream_schema
  dream <- formals(deep_dream)
  expect_identical(names(dream), c("image", "layers", "preset", setdiff(names(schema), "layers")))
  for (name in setdiff(names(schema), c("progress", "layers"))) {
    expect_identical(dream[[name]], schema[[name]]$default, label = name)
  }
  expect_identical(dream$progress, quote(interactive()))
  ascent <- formals(gradient_ascent)
  expect_identical(names(ascent), c("x", deepdream:::gradient_ascent_settings))
  expect_null(ascent$tile_size)  # FUNCTION_DEFAULTS: the whole picture unless asked
  expect_identical(ascent$border, schema$border$default)
})
