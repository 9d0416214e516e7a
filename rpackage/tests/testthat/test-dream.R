# deep_dream() from R. Untrained networks (weights = NULL) keep the tests fast and
# offline; the real weights are used when PYDREAM_TEST_WEIGHTS names them.

test_that("deep_dream() returns a deep_dream array the size of the input", {
  skip_if_no_pydream()
  path <- synthetic_png(120L, 150L)
  dream <- deep_dream(path, layers = list(mixed3 = 1), weights = NULL, num_octave = 2L,
                      iterations = 2L, border = 0L, progress = FALSE)
  expect_s3_class(dream, "deep_dream")
  expect_identical(dim(dream), c(120L, 150L, 3L))
  expect_true(all(dream >= 0 & dream <= 255))
  expect_false(identical(unclass(dream), array(as.integer(synthetic_image(120L, 150L)),
                                               dim = dim(dream))))
})

test_that("R arrays, rasters and dreams are accepted as the image", {
  skip_if_no_pydream()
  pixels <- synthetic_image(80L, 80L)
  args <- list(layers = list(mixed3 = 1), weights = NULL, num_octave = 1L, iterations = 1L,
               seed = 1L, jitter = 4L, progress = FALSE)
  from_array <- do.call(deep_dream, c(list(pixels), args))
  from_file <- do.call(deep_dream, c(list(synthetic_png(80L, 80L)), args))
  expect_identical(from_array, from_file)
  from_dream <- do.call(deep_dream, c(list(from_array), args))
  expect_identical(dim(from_dream), c(80L, 80L, 3L))
  grey <- do.call(deep_dream, c(list(pixels[, , 1]), args))
  expect_identical(dim(grey), c(80L, 80L, 3L))
  from_raster <- do.call(deep_dream, c(list(as.raster(from_array)), args))
  expect_identical(dim(from_raster), c(80L, 80L, 3L))
})

test_that("iterations = 0 only runs the octave pipeline", {
  skip_if_no_pydream()
  pixels <- synthetic_image(80L, 80L)
  dream <- deep_dream(pixels, layers = list(mixed3 = 1), weights = NULL, num_octave = 1L,
                      iterations = 0L, progress = FALSE)
  expect_identical(unclass(dream), array(as.integer(pixels), dim = dim(pixels)))
})

test_that("the callback sees 1-based octaves and steps and can stop the dream", {
  skip_if_no_pydream()
  seen <- list()
  callback <- function(octave, step, loss) {
    seen[[length(seen) + 1L]] <<- c(octave = octave, step = step, loss = loss)
    octave == 2L && step == 1L
  }
  dream <- deep_dream(synthetic_image(100L, 100L), layers = list(mixed3 = 1), weights = NULL,
                      num_octave = 2L, octave_scale = 1.2, iterations = 3L, max_loss = NULL,
                      callback = callback, progress = FALSE)
  expect_identical(dim(dream), c(100L, 100L, 3L))
  steps <- do.call(rbind, seen)
  expect_identical(unname(steps[, "octave"]), c(1, 1, 1, 2))
  expect_identical(unname(steps[, "step"]), c(1, 2, 3, 1))
  expect_true(all(is.finite(steps[, "loss"])))
})

test_that("an error in the callback is raised as that R error", {
  skip_if_no_pydream()
  expect_error(
    deep_dream(synthetic_image(80L, 80L), layers = list(mixed3 = 1), weights = NULL,
               num_octave = 1L, iterations = 2L, progress = FALSE,
               callback = function(octave, step, loss) stop("callback failed on purpose")),
    "callback failed on purpose"
  )
})

test_that("the progress bar is drawn in the console", {
  skip_if_no_pydream()
  output <- capture.output(
    deep_dream(synthetic_image(80L, 80L), layers = list(mixed3 = 1), weights = NULL,
               num_octave = 1L, iterations = 2L, progress = TRUE)
  )
  expect_match(paste(output, collapse = "\n"), "100%", fixed = TRUE)
})

test_that("a seed makes jitter repeatable", {
  skip_if_no_pydream()
  run <- function(seed) {
    deep_dream(synthetic_image(80L, 80L), layers = list(mixed3 = 1), weights = NULL,
               num_octave = 1L, iterations = 2L, jitter = 8L, seed = seed, progress = FALSE)
  }
  expect_identical(run(7L), run(7))
})

test_that("output and save_octaves write files", {
  skip_if_no_pydream()
  folder <- tempfile("octaves")
  output <- tempfile(fileext = ".png")
  dream <- deep_dream(synthetic_image(100L, 100L), layers = list(mixed3 = 1), weights = NULL,
                      num_octave = 2L, octave_scale = 1.2, iterations = 1L, progress = FALSE,
                      save_octaves = folder, output = output)
  expect_true(file.exists(output))
  expect_length(list.files(folder, pattern = "[.]png$"), 2L)
  require_package("png")
  expect_equal(png::readPNG(output) * 255, unclass(dream), ignore_attr = TRUE)
})

test_that("engine errors become R errors that say what is wrong", {
  skip_if_no_pydream()
  pixels <- synthetic_image(80L, 80L)
  err <- tryCatch(deep_dream(pixels, layers = list(mixed27 = 1), weights = NULL,
                             num_octave = 1L, progress = FALSE), error = function(e) e)
  expect_s3_class(err, "deepdream_value_error")
  expect_match(conditionMessage(err), "unknown layer 'mixed27'", fixed = TRUE)
  expect_match(conditionMessage(err), "mixed10", fixed = TRUE)
  expect_false(grepl("Traceback", conditionMessage(err), fixed = TRUE))
  expect_error(deep_dream(pixels, preset = "nightmare", weights = NULL, num_octave = 1L,
                          progress = FALSE),
               "unknown preset 'nightmare'", fixed = TRUE)
  expect_error(deep_dream(synthetic_image(20L, 20L), weights = NULL, progress = FALSE,
                          num_octave = 1L, layers = list(mixed3 = 1)),
               "use a larger image", fixed = TRUE)
  info <- last_python_error()
  expect_identical(info$type, "ValueError")
  expect_match(info$traceback, "Traceback", fixed = TRUE)
})

test_that("a preset sets what is not given, and given arguments win", {
  skip_if_no_pydream()
  steps <- 0L
  count <- function(octave, step, loss) {
    steps <<- steps + 1L
    FALSE
  }
  deep_dream(synthetic_image(120L, 120L), preset = "chollet", weights = NULL,
             iterations = 2L, num_octave = 2L, max_loss = NULL, callback = count,
             progress = FALSE)
  expect_identical(steps, 4L)
})

test_that("real weights dream (blog layers, tiny settings)", {
  skip_if_no_pydream()
  weights <- skip_if_no_weights()
  lcontrib <- list(mixed2 = 0.2, mixed3 = 0.8, mixed4 = 2, mixed5 = 4, mixed6 = 5)
  dream <- deep_dream(synthetic_image(120L, 160L), layers = lcontrib, weights = weights,
                      num_octave = 2L, iterations = 2L, step = 0.025, max_loss = 10,
                      border = 0L, progress = FALSE)
  expect_identical(dim(dream), c(120L, 160L, 3L))
  path <- tempfile(fileext = ".png")
  grDevices::png(path, width = 160, height = 120)
  plot(dream)
  grDevices::dev.off()
  expect_gt(file.size(path), 0)
})

test_that("an interrupt (Esc, Ctrl+C) during a dream stops it and is re-signalled", {
  skip_if_no_pydream()
  steps <- 0L
  press_escape <- function(octave, step, loss) {
    steps <<- steps + 1L
    # what R signals when the user interrupts while the R callback runs
    signalCondition(structure(class = c("interrupt", "condition"),
                              list(message = "", call = NULL)))
  }
  output <- capture.output(result <- tryCatch(
    deep_dream(synthetic_image(80L, 80L), layers = list(mixed3 = 1), weights = NULL,
               num_octave = 1L, iterations = 5L, max_loss = NULL, progress = TRUE,
               callback = press_escape),
    interrupt = function(e) "interrupted"
  ))
  expect_identical(result, "interrupted")
  expect_false(any(grepl("100%", output, fixed = TRUE)))
  expect_identical(steps, 1L)

  # the session is usable right away: the next dream runs all its steps and returns
  steps_after <- 0L
  count <- function(octave, step, loss) {
    steps_after <<- steps_after + 1L
    FALSE
  }
  output <- capture.output(
    dream <- deep_dream(synthetic_image(80L, 80L), layers = list(mixed3 = 1), weights = NULL,
                        num_octave = 1L, iterations = 3L, max_loss = NULL, progress = TRUE,
                        callback = count)
  )
  expect_s3_class(dream, "deep_dream")
  expect_identical(dim(dream), c(80L, 80L, 3L))
  expect_identical(steps_after, 3L)
  expect_true(any(grepl("100%", output, fixed = TRUE)))
  again <- deep_dream(synthetic_image(80L, 80L), layers = list(mixed3 = 1), weights = NULL,
                      num_octave = 1L, iterations = 1L, progress = FALSE)
  expect_identical(dim(again), c(80L, 80L, 3L))
})

# Conditions signalled while `code` runs, by kind, the messages and warnings muffled.
collect_conditions <- function(code) {
  seen <- list(messages = character(), warnings = character())
  value <- withCallingHandlers(
    code,
    message = function(m) {
      seen$messages <<- c(seen$messages, conditionMessage(m))
      invokeRestart("muffleMessage")
    },
    warning = function(w) {
      seen$warnings <<- c(seen$warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  c(list(value = value), seen)
}

test_that("a dream too large for the memory budget is tiled, with a message", {
  skip_if_no_pydream()
  pixels <- synthetic_image(400L, 400L)
  # With mixed3 an untrained InceptionV3 needs about 0.11 GB untiled for 400 x 400 and
  # about 0.04 GB with the smallest (150-pixel) tiles: 0.06 GB must tile, and can.
  args <- list(layers = list(mixed3 = 1), weights = NULL, num_octave = 1L, iterations = 1L,
               max_loss = NULL, progress = FALSE, memory_budget = 0.06)
  expect_message(
    dream <- do.call(deep_dream, c(list(pixels), args)),
    paste0("400x400 dream needs about [0-9.]+ (GB|MB) untiled, ",
           "more than the memory budget .*tiles of at most")
  )
  expect_s3_class(dream, "deep_dream")
  expect_identical(dim(dream), c(400L, 400L, 3L))
  expect_true(all(dream >= 0 & dream <= 255))

  # a note, said once, of class deepdream_note; not a warning
  seen <- collect_conditions(do.call(deep_dream, c(list(pixels), args)))
  expect_length(seen$messages, 1L)
  expect_match(seen$messages, "tiles", fixed = TRUE)
  expect_length(seen$warnings, 0L)
  note <- tryCatch(do.call(deep_dream, c(list(pixels), args)), message = function(m) m)
  expect_s3_class(note, "deepdream_note")

  # no note when the budget is ample, or without tiling
  ample <- collect_conditions(do.call(deep_dream, c(list(pixels), modifyList(
    args, list(memory_budget = 8)
  ))))
  expect_length(ample$messages, 0L)
  expect_identical(dim(ample$value), c(400L, 400L, 3L))
  never_tile <- args
  never_tile["tile_size"] <- list(NULL)
  untiled <- collect_conditions(do.call(deep_dream, c(list(pixels), never_tile)))
  expect_length(untiled$messages, 0L)
  expect_identical(dim(untiled$value), c(400L, 400L, 3L))

  # gradient_ascent() tiles only when asked to ("auto" here), and says so the same way
  x <- preprocess_image(pixels)
  expect_message(
    ascended <- gradient_ascent(x, iterations = 1L, step = 0.01, layers = list(mixed3 = 1),
                                weights = NULL, tile_size = "auto", memory_budget = 0.06),
    "tiles of at most"
  )
  expect_identical(dim(ascended), dim(x))
  plain <- collect_conditions(gradient_ascent(x, iterations = 1L, step = 0.01,
                                              layers = list(mixed3 = 1), weights = NULL,
                                              memory_budget = 0.06))
  expect_length(plain$messages, 0L)
})

test_that("the progress bar still counts the steps of a tiled dream", {
  skip_if_no_pydream()
  output <- capture.output(suppressMessages(
    deep_dream(synthetic_image(400L, 400L), layers = list(mixed3 = 1), weights = NULL,
               num_octave = 1L, iterations = 2L, max_loss = NULL, progress = TRUE,
               memory_budget = 0.06)
  ))
  expect_match(paste(output, collapse = "\n"), "100%", fixed = TRUE)
})

test_that("original_colors = TRUE keeps the photo's colours and dreams the brightness", {
  skip_if_no_pydream()
  pixels <- synthetic_image(96L, 128L)
  args <- list(pixels, layers = list(mixed3 = 1), weights = NULL, num_octave = 1L,
               iterations = 4L, step = 0.1, border = 0L, seed = 2L, progress = FALSE)
  plain <- do.call(deep_dream, args)
  kept <- do.call(deep_dream, c(args, list(original_colors = TRUE)))
  # Cb and Cr of JPEG's YCbCr (ITU-R BT.601), and its Y
  ycbcr <- function(x) {
    x <- unclass(x)
    list(y = 0.299 * x[, , 1] + 0.587 * x[, , 2] + 0.114 * x[, , 3],
         cb = -0.168736 * x[, , 1] - 0.331264 * x[, , 2] + 0.5 * x[, , 3],
         cr = 0.5 * x[, , 1] - 0.418688 * x[, , 2] - 0.081312 * x[, , 3])
  }
  photo <- ycbcr(pixels)
  chroma_change <- function(x) {
    mean(abs(ycbcr(x)$cb - photo$cb)) + mean(abs(ycbcr(x)$cr - photo$cr))
  }
  expect_lt(chroma_change(kept), chroma_change(plain) / 2)
  expect_gt(mean(abs(ycbcr(kept)$y - photo$y)), 0.5 * mean(abs(ycbcr(plain)$y - photo$y)))
  expect_error(deep_dream(pixels, layers = list(mixed3 = 1), original_colors = NA),
               "original_colors", class = "deepdream_argument_error")
})
