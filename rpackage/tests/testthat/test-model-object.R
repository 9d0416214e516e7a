# A Keras model object as `model`: built here through reticulate's import of Python keras
# (a keras3 model from R is the same kind of object), passed to the engine untouched.

keras_for_tests <- function() {
  skip_if_no_pydream()
  reticulate::import("keras")
}

# A small functional model taking images of any size: two convolutions.
tiny_model <- function(keras) {
  inputs <- keras$Input(shape = reticulate::tuple(NULL, NULL, 3L))
  first <- keras$layers$Conv2D(4L, 3L, padding = "same", activation = "relu",
                               name = "first")(inputs)
  second <- keras$layers$Conv2D(4L, 3L, padding = "same", name = "second")(first)
  keras$Model(inputs, second, name = "tiny")
}

test_that("a model object reaches the engine untouched", {
  keras <- keras_for_tests()
  model <- tiny_model(keras)
  settings <- deepdream:::check_dream_settings(list(model = model, preprocess = "caffe"))
  kwargs <- deepdream:::settings_to_python(settings)
  expect_identical(reticulate::py_id(kwargs$model), reticulate::py_id(model))
  expect_identical(kwargs$preprocess, "caffe")
  python_kwargs <- deepdream:::as_py_kwargs(kwargs)
  same_object <- reticulate::py_eval("lambda kwargs, model: kwargs['model'] is model")
  expect_true(same_object(python_kwargs, model))
})

test_that("list_layers() and deep_dream() work with a Keras model object", {
  keras <- keras_for_tests()
  vgg <- keras$applications$VGG16(include_top = FALSE, weights = NULL)
  layer_names <- list_layers(vgg)
  expect_true(all(c("block1_conv1", "block3_conv1", "block5_pool") %in% layer_names))
  expect_false("input_layer" %in% layer_names)
  pixels <- synthetic_image(64L, 72L)
  args <- list(model = vgg, layers = list(block3_conv1 = 1, "block4_conv1:0-7" = 1),
               num_octave = 1L, iterations = 2L, border = 0L, seed = 1L, max_loss = NULL,
               progress = FALSE)
  # steps are in the network's input units: pixel levels for "caffe"
  caffe <- do.call(deep_dream, c(list(pixels), args, list(preprocess = "caffe", step = 2)))
  expect_s3_class(caffe, "deep_dream")
  expect_identical(dim(caffe), c(64L, 72L, 3L))
  expect_gt(max(abs(unclass(caffe) - pixels)), 0)
  torch <- do.call(deep_dream, c(list(pixels), args, list(preprocess = "torch", step = 0.05)))
  expect_gt(max(abs(unclass(torch) - pixels)), 0)
  expect_false(identical(unclass(torch), unclass(caffe)))
})

test_that("R functions can preprocess and deprocess for a model object", {
  keras <- keras_for_tests()
  model <- tiny_model(keras)
  expect_identical(list_layers(model), c("first", "second"))
  pixels <- synthetic_image(48L, 56L)
  shapes <- list()
  to_network <- function(x) {
    shapes[[length(shapes) + 1L]] <<- if (is.null(dim(x))) length(x) else dim(x)
    x / 127.5 - 1
  }
  to_pixels <- function(x) (x + 1) * 127.5
  args <- list(model = model, layers = list(second = 1), num_octave = 1L, iterations = 2L,
               border = 0L, seed = 1L, max_loss = NULL, clip = TRUE, progress = FALSE)
  from_r <- do.call(deep_dream, c(list(pixels), args,
                                  list(preprocess = to_network, deprocess = to_pixels)))
  scheme <- do.call(deep_dream, c(list(pixels), args, list(preprocess = "tf")))
  # the same scaling as the "tf" scheme; float32 rounding may move a value by one level
  expect_lte(max(abs(unclass(from_r) - unclass(scheme))), 1)
  expect_gt(max(abs(unclass(from_r) - pixels)), 0)
  expect_true(list(c(48L, 56L, 3L)) %in% shapes)  # the picture
  expect_true(list(3L) %in% shapes)               # one pixel per channel, for clip's range

  err <- tryCatch(do.call(deep_dream, c(list(pixels), args, list(
    preprocess = function(x) stop("cannot scale this"), deprocess = to_pixels
  ))), error = function(e) e)
  expect_s3_class(err, "deepdream_value_error")
  expect_identical(conditionMessage(err),
                   "the preprocess function failed in R: cannot scale this")
  err <- tryCatch(do.call(deep_dream, c(list(pixels), args, list(
    preprocess = function(x) "scaled", deprocess = to_pixels
  ))), error = function(e) e)
  expect_match(conditionMessage(err), paste0(
    "the preprocess function failed in R: it returned the string \"scaled\", not an array ",
    "of numbers"
  ), fixed = TRUE)
  err <- tryCatch(do.call(deep_dream, c(list(pixels), args, list(
    preprocess = function(x) x[1:3], deprocess = to_pixels
  ))), error = function(e) e)
  expect_match(conditionMessage(err), "must return an array of the shape it was given",
               fixed = TRUE)
})

test_that("an object that is not a Keras model is a one-line R error", {
  keras <- keras_for_tests()
  pixels <- synthetic_image(48L, 48L)
  not_a_model <- reticulate::import_builtins(convert = FALSE)$dict()
  err <- tryCatch(deep_dream(pixels, model = not_a_model, layers = list(x = 1),
                             num_octave = 1L, progress = FALSE),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_type_error")
  expect_identical(conditionMessage(err), paste0(
    "model must be a model name (see pydream.models.MODELS) or a keras.Model, not dict"
  ))
  fixed_size <- keras$applications$VGG16(include_top = FALSE, weights = NULL,
                                         input_shape = reticulate::tuple(64L, 64L, 3L))
  err <- tryCatch(deep_dream(pixels, model = fixed_size, layers = list(block1_conv1 = 1),
                             num_octave = 1L, progress = FALSE),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_value_error")
  expect_match(conditionMessage(err), "takes only 64x64 images; a dream needs any size",
               fixed = TRUE)
  expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  err <- tryCatch(deep_dream(pixels, model = tiny_model(keras), layers = list(third = 1),
                             num_octave = 1L, progress = FALSE),
                  error = function(e) e)
  expect_match(conditionMessage(err), "unknown layer 'third'", fixed = TRUE)
})

test_that("a gallery dreams every layer of a model object by default", {
  keras <- keras_for_tests()
  sheet <- dream_gallery(synthetic_image(120L, 160L), model = tiny_model(keras),
                         size = 160L, num_octave = 1L, iterations = 1L, border = 0L,
                         progress = FALSE)
  expect_identical(attr(sheet, "entries"), c("first", "second"))
  # three tiles on a near-square grid: two columns, two rows
  expect_identical(dim(sheet), c(2L * (120L + 22L + 4L) + 4L, 2L * (160L + 4L) + 4L, 3L))
})
