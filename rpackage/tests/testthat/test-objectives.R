# Dreams with channel and class keys, per-octave layers, guides, masks, Laplacian
# normalisation, smoothing and the penalties, on small pictures with an untrained network
# (the real weights where the test needs them).

# A quick dream of `pixels` (one octave, two steps, no border crop, fixed seed).
quick_dream <- function(pixels, ...) {
  args <- list(layers = list(mixed3 = 1), weights = NULL, num_octave = 1L, iterations = 2L,
               border = 0L, max_loss = NULL, seed = 1L, progress = FALSE)
  extra <- list(...)
  args[names(extra)] <- extra
  do.call(deep_dream, c(list(pixels), args))
}

changed <- function(dream, pixels) max(abs(unclass(dream) - pixels))

# The one-line message of the engine error `code` raises, with its class checked.
engine_error <- function(code, class = "deepdream_python_error") {
  err <- tryCatch({
    code
    NULL
  }, error = function(e) e)
  expect_s3_class(err, class)
  message <- conditionMessage(err)
  expect_false(grepl("\n", message, fixed = TRUE), label = paste("a line break in:", message))
  expect_false(grepl("Traceback", message, fixed = TRUE))
  message
}

test_that("channel keys dream some channels of a layer", {
  skip_if_no_pydream()
  pixels <- synthetic_image(96L, 112L)
  whole <- quick_dream(pixels, layers = list(mixed4 = 1))
  one <- quick_dream(pixels, layers = list("mixed4:97" = 1))
  some <- quick_dream(pixels, layers = list("mixed4:0-15" = 1, "mixed4:97,120" = 0.5))
  for (dream in list(whole, one, some)) {
    expect_s3_class(dream, "deep_dream")
    expect_identical(dim(dream), c(96L, 112L, 3L))
  }
  # (one channel of an untrained network may be dead: only the wider objectives must move)
  expect_gt(changed(whole, pixels), 0)
  expect_gt(changed(some, pixels), 0)
  expect_false(identical(unclass(one), unclass(whole)))
  expect_false(identical(unclass(one), unclass(some)))
})

test_that("a channel past the layer's channels is a one-line R error giving the count", {
  skip_if_no_pydream()
  message <- engine_error(quick_dream(synthetic_image(80L, 80L),
                                      layers = list("mixed4:768" = 1)),
                          "deepdream_value_error")
  expect_identical(message, paste0(
    "layers: channel 768 in 'mixed4:768' is past the last channel of mixed4, which has ",
    "768 channels (0..767)"
  ))
})

test_that("a class needs the classification top: weights without it are an R error", {
  skip_if_no_pydream()
  weights <- skip_if_no_weights()
  message <- engine_error(quick_dream(synthetic_image(80L, 80L),
                                      layers = list("predictions:207" = 1), weights = weights),
                          "deepdream_value_error")
  expect_match(message, "has no classification top", fixed = TRUE)
  expect_match(message, "weights \"imagenet\"", fixed = TRUE)
  expect_s3_class(err <- tryCatch(quick_dream(synthetic_image(80L, 80L),
                                              layers = list("predictions:207" = 1),
                                              weights = weights),
                                  error = function(e) e),
                  "deepdream_weights_error")
  expect_identical(err$path, weights)
})

test_that("per-octave layers dream a different objective at each octave", {
  skip_if_no_pydream()
  pixels <- synthetic_image(110L, 110L)
  steps <- list()
  count <- function(octave, step, loss) {
    steps[[length(steps) + 1L]] <<- c(octave, step)
    FALSE
  }
  run <- function(layers, callback = NULL) {
    quick_dream(pixels, layers = layers, num_octave = 2L, octave_scale = 1.3,
                callback = callback)
  }
  schedule <- run(list(list(mixed3 = 1), list("mixed5:0-9" = 1, mixed6 = 2)), count)
  expect_identical(dim(schedule), c(110L, 110L, 3L))
  expect_equal(do.call(rbind, steps), rbind(c(1, 1), c(1, 2), c(2, 1), c(2, 2)))
  same <- run(list(list(mixed3 = 1), list(mixed3 = 1)))
  expect_identical(unclass(same), unclass(run(list(mixed3 = 1))))
  # a shorter list repeats its last mapping
  expect_identical(unclass(run(list(list(mixed3 = 1)))), unclass(same))
  expect_false(identical(unclass(schedule), unclass(same)))
})

test_that("a schedule longer than a preset's octaves is an R error from the engine", {
  skip_if_no_pydream()
  # the "tutorial" preset dreams one octave
  message <- engine_error(deep_dream(synthetic_image(80L, 80L),
                                     layers = list(list(mixed3 = 1), list(mixed4 = 1)),
                                     preset = "tutorial", weights = NULL, iterations = 1L,
                                     progress = FALSE),
                          "deepdream_value_error")
  expect_match(message, "layers has 2 per-octave mappings but the dream has only 1 octave",
               fixed = TRUE)
})

test_that("a guide is taken from a file, an array or a dream, and pulls the dream", {
  skip_if_no_pydream()
  pixels <- synthetic_image(90L, 100L)
  guide_pixels <- synthetic_image(100L, 80L)[, 80:1, 3:1]
  guide_file <- tempfile(fileext = ".png")
  save_img(guide_pixels, guide_file)
  from_file <- quick_dream(pixels, guide = guide_file)
  from_array <- quick_dream(pixels, guide = guide_pixels)
  from_dream <- quick_dream(pixels, guide = deepdream:::as_deep_dream(guide_pixels))
  from_raster <- quick_dream(pixels, guide = as.raster(guide_pixels, max = 255))
  expect_identical(unclass(from_file), unclass(from_array))
  expect_identical(unclass(from_dream), unclass(from_array))
  expect_identical(unclass(from_raster), unclass(from_array))
  expect_gt(changed(from_file, pixels), 0)
  expect_false(identical(unclass(from_file), unclass(quick_dream(pixels))))
})

test_that("a guide or mask that is not a picture is a one-line R error", {
  skip_if_no_pydream()
  pixels <- synthetic_image(80L, 80L)
  not_a_picture <- tempfile(fileext = ".png")
  writeLines("not a picture", not_a_picture)
  message <- engine_error(quick_dream(pixels, guide = not_a_picture), "deepdream_value_error")
  expect_match(message, "^guide: input image .* is not a picture")
  message <- engine_error(quick_dream(pixels, mask = not_a_picture), "deepdream_value_error")
  expect_match(message, "^mask: input image .* is not a picture")
  python_dict <- reticulate::import_builtins(convert = FALSE)$dict()
  message <- engine_error(quick_dream(pixels, guide = python_dict), "deepdream_type_error")
  expect_identical(message, "guide must be a file path, a PIL.Image or a uint8 array, not dict")
  message <- engine_error(quick_dream(pixels, mask = python_dict), "deepdream_type_error")
  expect_match(message, "^mask must be a file path, a PIL.Image or an array")
})

test_that("a mask keeps the photo where it is black and dreams where it is white", {
  skip_if_no_pydream()
  pixels <- synthetic_image(96L, 128L)
  mask <- matrix(1, 96L, 128L)
  mask[, 1:64] <- 0
  masked <- quick_dream(pixels, layers = list(mixed4 = 1), mask = mask)
  expect_identical(unclass(masked)[, 1:60, ], array(as.integer(pixels[, 1:60, ]),
                                                    dim = c(96L, 60L, 3L)))
  expect_gt(max(abs(unclass(masked)[, 70:128, ] - pixels[, 70:128, ])), 0)
  # the same mask as 0..255, as TRUE/FALSE, as a colour array, as a file, at another size
  expect_identical(unclass(quick_dream(pixels, layers = list(mixed4 = 1), mask = mask * 255)),
                   unclass(masked))
  expect_identical(unclass(quick_dream(pixels, layers = list(mixed4 = 1), mask = mask > 0)),
                   unclass(masked))
  colour <- array(mask * 255, dim = c(96L, 128L, 3L))
  expect_identical(unclass(quick_dream(pixels, layers = list(mixed4 = 1), mask = colour)),
                   unclass(masked))
  mask_file <- tempfile(fileext = ".png")
  save_img(mask * 255, mask_file)
  expect_identical(unclass(quick_dream(pixels, layers = list(mixed4 = 1), mask = mask_file)),
                   unclass(masked))
  half_size <- matrix(rep(c(0, 1), each = 48L * 32L), 48L, 64L)
  resized <- quick_dream(pixels, layers = list(mixed4 = 1), mask = half_size)
  expect_identical(unclass(resized)[, 1:56, ], unclass(masked)[, 1:56, ])
  # grey dreams less than white
  grey <- quick_dream(pixels, layers = list(mixed4 = 1), mask = matrix(0.25, 96L, 128L))
  white <- quick_dream(pixels, layers = list(mixed4 = 1), mask = matrix(1, 96L, 128L))
  expect_lt(changed(grey, pixels), changed(white, pixels))
})

test_that("Laplacian normalisation, smoothing and the penalties change the dream", {
  skip_if_no_pydream()
  pixels <- synthetic_image(96L, 96L)
  plain <- quick_dream(pixels)
  variants <- list(
    laplacian = quick_dream(pixels, normalize = "laplacian"),
    lap_levels = quick_dream(pixels, normalize = "laplacian", lap_levels = 2L),
    smoothing = quick_dream(pixels, smoothing = 2),
    continuity = quick_dream(pixels, continuity = 50),
    dream_l2 = quick_dream(pixels, dream_l2 = 50)
  )
  for (name in names(variants)) {
    dream <- variants[[name]]
    expect_identical(dim(dream), c(96L, 96L, 3L), label = name)
    expect_gt(changed(dream, pixels), 0)
    expect_false(identical(unclass(dream), unclass(plain)), label = name)
  }
  expect_false(identical(unclass(variants$laplacian), unclass(variants$lap_levels)))
  # smoothing = 0 is the default
  expect_identical(unclass(quick_dream(pixels, smoothing = 0)), unclass(plain))
  # gradient_ascent() takes the Laplacian normalisation and channel keys too
  x <- preprocess_image(pixels)
  ascended <- gradient_ascent(x, iterations = 1L, step = 0.01, layers = list("mixed3:0-7" = 1),
                              weights = NULL, border = 0L, normalize = "laplacian")
  expect_identical(dim(ascended), dim(x))
  expect_gt(max(abs(ascended - x)), 0)
})

test_that("the progress bar counts the steps of a guided, per-octave dream", {
  skip_if_no_pydream()
  output <- capture.output(
    dream <- deep_dream(synthetic_image(100L, 100L), weights = NULL, num_octave = 2L,
                        octave_scale = 1.2, iterations = 2L, border = 0L, max_loss = NULL,
                        layers = list(list(mixed3 = 1), list(mixed4 = 1)),
                        guide = synthetic_image(80L, 80L), progress = TRUE)
  )
  expect_match(paste(output, collapse = "\n"), "100%", fixed = TRUE)
  expect_identical(dim(dream), c(100L, 100L, 3L))
})

test_that("real weights: a guided dream of channels on half of the picture", {
  skip_if_no_pydream()
  weights <- skip_if_no_weights()
  pixels <- synthetic_image(120L, 160L)
  mask <- matrix(1, 120L, 160L)
  mask[, 1:80] <- 0
  dream <- deep_dream(pixels, layers = list("mixed4:0-31" = 1, mixed3 = 0.5),
                      guide = synthetic_image(100L, 100L)[, 100:1, ], mask = mask,
                      weights = weights, num_octave = 2L, iterations = 2L, step = 0.02,
                      max_loss = NULL, normalize = "laplacian", smoothing = 0.5,
                      progress = FALSE)
  expect_identical(unclass(dream)[, 1:72, ], array(as.integer(pixels[, 1:72, ]),
                                                   dim = c(120L, 72L, 3L)))
  expect_gt(max(abs(unclass(dream)[, 90:160, ] - pixels[, 90:160, ])), 5)
})
