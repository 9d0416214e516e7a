# Checks in R of the objectives beyond whole layers (channel and class keys, per-octave
# layers, guides, masks, Laplacian normalisation, smoothing, model objects): no Python.

# An existing (empty) file, for the arguments that must be files.
empty_photo <- function() {
  path <- tempfile(fileext = ".jpg")
  file.create(path)
  path
}

# The message of the error `code` raises, with its class checked.
argument_error <- function(code) {
  err <- tryCatch({
    code
    NULL
  }, error = function(e) e)
  expect_s3_class(err, "deepdream_argument_error")
  message <- conditionMessage(err)
  expect_false(grepl("\n", message, fixed = TRUE), label = paste("a line break in:", message))
  message
}

# A stand-in for a Keras model object (a Python object as reticulate shows it).
fake_model <- function() {
  structure(function(...) NULL,
            class = c("keras.src.models.model.Model", "python.builtin.object"))
}

test_that("layer keys may select channels or classes", {
  keys <- list("mixed4:97" = 1, "mixed4:97,120" = 2L, "mixed4:0-15" = 0.5,
               "predictions:207" = 1, " mixed5 : 3 - 5 , 9 " = 1, mixed3 = 0.2)
  checked <- deepdream:::check_layers(keys)
  expect_identical(names(checked), names(keys))
  expect_identical(unname(unlist(checked)), c(1, 2, 0.5, 1, 1, 0.2))
  expect_identical(deepdream:::check_layers(c("mixed4:7" = 2)), list("mixed4:7" = 2))
  expect_identical(deepdream:::parse_layer_key("mixed4"), list(layer = "mixed4", selected = FALSE))
  expect_identical(deepdream:::parse_layer_key("mixed4:0-15"),
                   list(layer = "mixed4", selected = TRUE))
})

test_that("malformed layer keys are one-line R errors like the engine's", {
  shape <- paste0("must look like LAYER:CHANNEL, LAYER:C1,C2 or LAYER:FIRST-LAST with whole ",
                  "numbers from 0, e.g. \"mixed4:97\" or \"mixed4:0-15\".")
  for (key in c("mixed4:", "mixed4:#", "mixed4:3,", "mixed4:,3", "mixed4:-3", "mixed4:3-",
                "mixed4:1-2-3", "mixed4:1.5", "mixed4:+2", "mixed4:1:2", "mixed4: ")) {
    layers <- list(1)
    names(layers) <- key
    message <- argument_error(deepdream:::check_layers(layers))
    expect_identical(message, sprintf("`layers`: \"%s\" %s", key, shape))
  }
  expect_identical(argument_error(deepdream:::check_layers(list(":5" = 1))),
                   "`layers`: \":5\" has no layer name before \":\".")
  expect_identical(argument_error(deepdream:::check_layers(list("mixed4:15-0" = 1))),
                   "`layers`: the range in \"mixed4:15-0\" runs backwards (15-0).")
  expect_identical(argument_error(deepdream:::check_layers(list("mixed4:0-2000000" = 1))),
                   "`layers`: the index 2000000 in \"mixed4:0-2000000\" is beyond any network.")
  expect_match(argument_error(deepdream:::check_layers(list(" " = 1))),
               "layer names must be non-empty strings", fixed = TRUE)
  expect_match(argument_error(deep_dream(empty_photo(), layers = list("mixed4:#" = 1))),
               "`layers`: \"mixed4:#\" must look like", fixed = TRUE)
  # a selection with a letter names classes, of the classification layer only
  expect_match(argument_error(deep_dream(empty_photo(), layers = list("mixed4:x" = 1))),
               "`layers`: \"mixed4:x\": names select ImageNet classes of \"predictions\"",
               fixed = TRUE)
})

test_that("layers may be a list of layer lists, one per octave", {
  schedule <- list(list(mixed3 = 1), list(mixed5 = 1, "mixed6:0-3" = 2L))
  checked <- deepdream:::check_layers(schedule)
  expect_null(names(checked))
  expect_identical(checked, list(list(mixed3 = 1), list(mixed5 = 1, "mixed6:0-3" = 2)))
  # named vectors work as elements too
  expect_identical(deepdream:::check_layers(list(c(mixed3 = 1), c(mixed5 = 2))),
                   list(list(mixed3 = 1), list(mixed5 = 2)))
  expect_identical(deepdream:::check_layers(list(list(mixed3 = 1))), list(list(mixed3 = 1)))

  expect_identical(
    argument_error(deepdream:::check_layers(list(list(mixed3 = 1), 0.5))),
    paste0("`layers[[2]]` must be a named list of layer contributions, e.g. ",
           "`list(mixed3 = 0.8, mixed5 = 4)`, not 0.5.")
  )
  expect_match(argument_error(deepdream:::check_layers(list(list(mixed3 = 1), list()))),
               "`layers[[2]]` is empty", fixed = TRUE)
  expect_match(argument_error(deepdream:::check_layers(list(list(mixed3 = 1), list(2)))),
               "Every element of `layers[[2]]` must be named after a layer", fixed = TRUE)
  expect_match(argument_error(deepdream:::check_layers(list(list(mixed3 = "a"), list(b = 1)))),
               "layer \"mixed3\" in `layers[[1]]` must be a single finite number", fixed = TRUE)
  expect_match(argument_error(deepdream:::check_layers(list(list(mixed3 = 1),
                                                            list("mixed4:#" = 1)))),
               "`layers[[2]]`: \"mixed4:#\" must look like", fixed = TRUE)
  expect_match(argument_error(deepdream:::check_layers(list(list(list(mixed3 = 1))))),
               "Every element of `layers[[1]]` must be named", fixed = TRUE)
  expect_match(argument_error(deepdream:::check_layers("mixed3")),
               "or a list of such lists (one per octave), not the string \"mixed3\".",
               fixed = TRUE)
  # gradient_ascent() takes one mapping
  expect_match(argument_error(deepdream:::check_layers(schedule, allow_schedule = FALSE)),
               "Every element of `layers` must be named after a layer", fixed = TRUE)
})

test_that("more per-octave mappings than octaves is an R error when R can tell", {
  photo <- empty_photo()
  four <- list(list(mixed3 = 1), list(mixed4 = 1), list(mixed5 = 1), list(mixed6 = 1))
  expect_identical(
    argument_error(deep_dream(photo, layers = four[1:3], num_octave = 2L)),
    paste0("`layers` has 3 per-octave mappings but the dream has only 2 octaves; give at ",
           "most 2 mappings or raise `num_octave`.")
  )
  expect_identical(
    argument_error(deep_dream(photo, layers = four[1:2], num_octave = 1L)),
    paste0("`layers` has 2 per-octave mappings but the dream has only 1 octave; give at ",
           "most 1 mapping or raise `num_octave`.")
  )
  # num_octave not given and no preset: the default, 3 octaves
  expect_match(argument_error(deep_dream(photo, layers = four)),
               "has 4 per-octave mappings but the dream has only 3 octaves", fixed = TRUE)
  # with a preset the octaves are the preset's: the engine judges (see test-objectives.R)
  settings <- deepdream:::check_dream_settings(list(layers = four, preset = "jellyfish"))
  expect_length(settings$layers, 4L)
  settings <- deepdream:::check_dream_settings(list(layers = four, num_octave = 4L))
  expect_length(settings$layers, 4L)
})

test_that("guides are checked like images", {
  photo <- empty_photo()
  expect_match(argument_error(deep_dream(photo, guide = file.path(tempdir(), "none.jpg"))),
               "`guide` file not found", fixed = TRUE)
  expect_match(argument_error(deep_dream(photo, guide = array(300, c(4, 4, 3)))),
               "`guide` must hold pixel values from 0 to 255", fixed = TRUE)
  expect_match(argument_error(deep_dream(photo, guide = matrix(0.5, 4, 4))),
               "`guide` holds values from 0 to 1", fixed = TRUE)
  expect_match(argument_error(deep_dream(photo, guide = list(1, 2))),
               "`guide` must be a file path or a numeric array of pixels", fixed = TRUE)
  expect_match(argument_error(deep_dream(photo, guide = tempdir())), "is a folder",
               fixed = TRUE)
  pixels <- deepdream:::check_image(array(c(0, 100.4, 255), c(3, 4, 3)), "guide")
  expect_identical(storage.mode(pixels), "integer")
  expect_null(deepdream:::check_dream_settings(list(guide = NULL))$guide)
})

test_that("masks are grey matrices of 0..1 (or 0..255), checked in R", {
  left_dark <- matrix(1, 4, 6)
  left_dark[, 1:3] <- 0
  expect_identical(deepdream:::check_mask(left_dark), left_dark)
  expect_identical(deepdream:::check_mask(left_dark * 255), left_dark)
  expect_identical(deepdream:::check_mask(matrix(c(0L, 1L), 2, 2)), matrix(c(0, 1), 2, 2))
  expect_identical(deepdream:::check_mask(left_dark > 0.5), left_dark)
  expect_identical(deepdream:::check_mask(array(left_dark, c(4, 6, 1))), left_dark)
  # grey and alpha (png::readPNG of a grey PNG with alpha): the grey
  expect_identical(deepdream:::check_mask(array(c(left_dark, 0 * left_dark), c(4, 6, 2))),
                   left_dark)
  # colours: the luma of ITU-R 601, as Pillow makes a colour file grey
  rgb <- array(0, c(2, 2, 3))
  rgb[1, 1, ] <- c(255, 0, 0)
  rgb[2, 2, ] <- c(255, 255, 255)
  expect_equal(deepdream:::check_mask(rgb), matrix(c(0.299, 0, 0, 1), 2, 2))
  rgba <- array(c(rgb / 255, rep(0, 4)), c(2, 2, 4))
  expect_equal(deepdream:::check_mask(rgba), matrix(c(0.299, 0, 0, 1), 2, 2))
  raster <- as.raster(matrix(c("#000000", "#FFFFFF", "#FFFFFF", "#000000"), 2))
  expect_identical(deepdream:::check_mask(raster), matrix(c(0, 1, 1, 0), 2, 2))
  dream <- structure(array(255L, c(3, 3, 3)), class = "deep_dream")
  expect_identical(deepdream:::check_mask(dream), matrix(1, 3, 3))
  expect_null(deepdream:::check_mask(NULL))
  path <- empty_photo()
  expect_identical(deepdream:::check_mask(path), path.expand(path))

  expect_identical(argument_error(deepdream:::check_mask(c(0, 1, 1))),
                   paste0("`mask` must be a file path or a numeric matrix (height x width) of ",
                          "values from 0 to 1 (or 0 to 255), not a double vector of length 3."))
  expect_match(argument_error(deepdream:::check_mask(array(1, c(2, 2, 5)))),
               "not a double array of dim 2 x 2 x 5", fixed = TRUE)
  expect_match(argument_error(deepdream:::check_mask(matrix("a", 2, 2))),
               "not a character array of dim 2 x 2", fixed = TRUE)
  expect_match(argument_error(deepdream:::check_mask(data.frame(a = 1))),
               "`mask` must be a file path or a numeric matrix", fixed = TRUE)
  expect_match(argument_error(deepdream:::check_mask(matrix(0, 0, 3))),
               "`mask` must be a file path", fixed = TRUE)
  expect_identical(argument_error(deepdream:::check_mask(matrix(c(0, NA), 1, 2))),
                   "`mask` contains missing values (NA).")
  expect_match(argument_error(deepdream:::check_mask(matrix(c(0, NaN), 1, 2))),
               "missing values", fixed = TRUE)
  expect_match(argument_error(deepdream:::check_mask(matrix(c(0, Inf), 1, 2))),
               "`mask` contains infinite values", fixed = TRUE)
  expect_identical(argument_error(deepdream:::check_mask(matrix(c(-0.5, 1), 1, 2))),
                   paste0("`mask` must hold values from 0 to 1 (or 0 to 255), but they range ",
                          "from -0.5 to 1."))
  expect_match(argument_error(deepdream:::check_mask(matrix(c(0, 256), 1, 2))),
               "range from 0 to 256", fixed = TRUE)
  expect_match(argument_error(deep_dream(empty_photo(), mask = file.path(tempdir(), "no.png"))),
               "`mask` file not found", fixed = TRUE)
  expect_match(argument_error(deep_dream(empty_photo(), mask = "")),
               "`mask` must be a single non-empty string", fixed = TRUE)
})

test_that("normalize, lap_levels and smoothing are checked in R", {
  photo <- empty_photo()
  settings <- deepdream:::check_dream_settings(list(normalize = "laplacian", lap_levels = 6,
                                                    smoothing = 1L))
  expect_identical(settings, list(normalize = "laplacian", lap_levels = 6L, smoothing = 1))
  expect_match(argument_error(deep_dream(photo, normalize = "laplace")),
               "`normalize` must be one of \"mean_abs\", \"std\", \"laplacian\"", fixed = TRUE)
  for (bad in list(0, 13, 2.5, "4", NA, c(2, 3))) {
    expect_match(argument_error(deep_dream(photo, lap_levels = bad)),
                 "`lap_levels` must be a single whole number from 1 to 12, not", fixed = TRUE)
  }
  for (bad in list(-1, 100.5, Inf, NaN, "1", NULL)) {
    expect_match(argument_error(deep_dream(photo, smoothing = bad)),
                 "`smoothing` must be a single finite number from 0 to 100, not", fixed = TRUE)
  }
  expect_identical(deepdream:::check_dream_settings(list(smoothing = 100))$smoothing, 100)
  expect_match(argument_error(deep_dream(photo, continuity = -1)), "`continuity`", fixed = TRUE)
  expect_match(argument_error(deep_dream(photo, dream_l2 = "a")), "`dream_l2`", fixed = TRUE)
  expect_match(argument_error(gradient_ascent(array(0, c(1, 4, 4, 3)), iterations = 1,
                                              step = 0.01, normalize = "laplace")),
               "\"laplacian\"", fixed = TRUE)
})

test_that("model is a name or a Keras model object; preprocess and deprocess go with one", {
  photo <- empty_photo()
  for (bad in list(3, NA_character_, "", c("vgg16", "vgg19"), list(), function(x) x)) {
    expect_match(argument_error(deep_dream(photo, model = bad)),
                 "`model` must be a model name such as \"inception_v3\"", fixed = TRUE)
  }
  model <- fake_model()
  expect_identical(deepdream:::check_model(model), model)
  expect_identical(deepdream:::check_dream_settings(list(model = model))$model, model)
  expect_match(deepdream:::describe_value(model),
               "a Python object of class \"keras.src.models.model.Model\"", fixed = TRUE)

  expect_identical(
    argument_error(deep_dream(photo, preprocess = "caffe")),
    paste0("`preprocess` and `deprocess` are for a Keras model object given as `model`; ",
           "\"inception_v3\" knows its own preprocessing.")
  )
  expect_match(argument_error(deep_dream(photo, model = "vgg16", deprocess = "caffe")),
               "\"vgg16\" knows its own preprocessing", fixed = TRUE)
  expect_match(argument_error(deep_dream(photo, model = model, preprocess = "bgr")),
               "`preprocess` must be NULL, one of \"tf\", \"caffe\", \"torch\", or a function",
               fixed = TRUE)
  expect_match(argument_error(deep_dream(photo, model = model, deprocess = 1)),
               "`deprocess` must be NULL, one of", fixed = TRUE)
  pairs <- list(
    list(preprocess = function(x) x / 255),
    list(deprocess = function(x) x * 255),
    list(preprocess = function(x) x / 255, deprocess = "tf"),
    list(preprocess = "torch", deprocess = function(x) x * 255)
  )
  for (pair in pairs) {
    expect_match(argument_error(deepdream:::check_dream_settings(c(list(model = model), pair))),
                 "Give `preprocess` and `deprocess` both as functions", fixed = TRUE)
  }
  both <- list(model = model, preprocess = function(x) x / 255, deprocess = function(x) x * 255)
  expect_identical(names(deepdream:::check_dream_settings(both)), names(both))
  schemes <- deepdream:::check_dream_settings(list(model = model, preprocess = "torch",
                                                   deprocess = "torch"))
  expect_identical(schemes$preprocess, "torch")
})
