# The engine's typed errors become R conditions whose classes follow the Python classes and
# whose fields are elements of the condition; their messages are never rewritten.

test_that("R classes follow the Python class chain, fields become condition elements", {
  err <- tryCatch(
    deepdream:::abort_python(
      "LayerError", "unknown layer 'mixed27' (did you mean 'mixed2'?) for inception_v3",
      chain = c("LayerError", "SettingError", "PydreamError"),
      builtins = c("ValueError", "TypeError"),
      fields = list(setting = "layers", value = "mixed27", allowed = "mixed0, mixed1",
                    layer = "mixed27", model = "inception_v3",
                    suggestions = list("mixed2", "mixed7"))
    ),
    error = function(e) e
  )
  expect_identical(class(err), c(
    "deepdream_layer_error", "deepdream_setting_error", "deepdream_pydream_error",
    "deepdream_value_error", "deepdream_type_error", "deepdream_python_error",
    "deepdream_error", "error", "condition"
  ))
  expect_identical(err$setting, "layers")
  expect_identical(err$suggestions, c("mixed2", "mixed7"))
  expect_identical(err$python_type, "LayerError")
  # the advice is chosen by class and names the model from the fields
  expect_match(conditionMessage(err),
               "`list_layers(model, all_layers = TRUE)` lists every layer of inception_v3.",
               fixed = TRUE)
  expect_false(grepl("unexpected", conditionMessage(err), fixed = TRUE))
})

test_that("advice comes from the class, not from words in the message", {
  # a missing picture: its class is a FileNotFoundError, so the working directory is named
  err <- tryCatch(
    deepdream:::abort_python(
      "ImageNotFoundError", "input image not found: None.png",
      chain = c("ImageNotFoundError", "ImageError", "PydreamError"),
      builtins = c("ValueError", "FileNotFoundError", "OSError"),
      fields = list(path = "None.png", role = "mask")
    ),
    error = function(e) e
  )
  expect_s3_class(err, "deepdream_image_not_found_error")
  expect_s3_class(err, "deepdream_file_not_found_error")
  expect_s3_class(err, "deepdream_os_error")
  expect_match(conditionMessage(err), "^input image not found: None[.]png[.] Relative paths")
  # words alone give no advice: a ValueError that says "unknown layer" is left as it is
  err <- tryCatch(
    deepdream:::abort_python("ValueError", "unknown layer or unknown preset, imagenet download"),
    error = function(e) e
  )
  expect_identical(conditionMessage(err), "unknown layer or unknown preset, imagenet download")
  # a failed ImageNet download (path "imagenet") gets the offline advice, a bad file does not
  weights_error <- function(path) {
    tryCatch(
      deepdream:::abort_python("WeightsError", "could not get the weights",
                               chain = c("WeightsError", "PydreamError"),
                               builtins = "ValueError", fields = list(path = path)),
      error = function(e) conditionMessage(e)
    )
  }
  expect_match(weights_error("imagenet"), "Without internet access", fixed = TRUE)
  expect_identical(weights_error("x.weights.h5"), "could not get the weights")
  # an unknown preset points to dream_presets()
  err <- tryCatch(
    deepdream:::abort_python("PresetError", "unknown preset 'dreamy'",
                             chain = c("PresetError", "SettingError", "PydreamError"),
                             builtins = c("ValueError", "TypeError"),
                             fields = list(preset = "dreamy", presets = list("jellyfish"))),
    error = function(e) e
  )
  expect_match(conditionMessage(err), "`dream_presets()`", fixed = TRUE)
  expect_identical(err$presets, "jellyfish")
})

test_that("a mask file None.png that is not a picture is named verbatim", {
  skip_if_no_pydream()
  folder <- tempfile("masks")
  dir.create(folder)
  mask <- file.path(folder, "None.png")
  writeLines("this is not a picture", mask)
  err <- tryCatch(
    deep_dream(synthetic_image(40L, 40L), layers = list(mixed3 = 1), weights = NULL,
               num_octave = 1L, iterations = 1L, progress = FALSE, mask = mask),
    error = function(e) e
  )
  expect_s3_class(err, "deepdream_image_error")
  expect_s3_class(err, "deepdream_value_error")
  expect_match(conditionMessage(err), "None.png", fixed = TRUE)
  expect_false(grepl("NULL", conditionMessage(err), fixed = TRUE))
  expect_identical(err$path, mask)
  expect_identical(err$role, "mask")
})

test_that("an unknown layer gives deepdream_layer_error with suggestions", {
  skip_if_no_pydream()
  err <- tryCatch(
    deep_dream(synthetic_image(40L, 40L), layers = list(mixd5 = 1), weights = NULL,
               num_octave = 1L, iterations = 1L, progress = FALSE),
    error = function(e) e
  )
  expect_s3_class(err, "deepdream_layer_error")
  expect_s3_class(err, "deepdream_setting_error")
  expect_s3_class(err, "deepdream_value_error")
  expect_identical(err$setting, "layers")
  expect_identical(err$layer, "mixd5")
  expect_identical(err$model, "inception_v3")
  expect_true(is.character(err$suggestions))
  expect_identical(err$suggestions[[1]], "mixed5")
  expect_match(conditionMessage(err), "unknown layer 'mixd5' (did you mean 'mixed5'?)",
               fixed = TRUE)
})

test_that("a memory budget that cannot fit gives its numbers as fields", {
  skip_if_no_pydream()
  err <- tryCatch(
    deep_dream(synthetic_image(40L, 40L), layers = list(mixed3 = 1), weights = NULL,
               num_octave = 1L, iterations = 1L, progress = FALSE, memory_budget = 1e-6),
    error = function(e) e
  )
  expect_s3_class(err, "deepdream_memory_budget_error")
  expect_equal(err$budget, floor(1e-6 * 1024^3))  # bytes
  expect_gt(err$needed, err$budget)
})
