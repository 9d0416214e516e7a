# dream_batch(): checks in R, the result table, failures, resume, worker processes, and the
# same pictures as deep_dream().

test_that("dream_batch() checks its arguments and settings in R", {
  photos <- tempfile("photos")
  dir.create(photos)
  out <- tempfile("dreams")
  case <- function(regexp, ...) list(args = list(...), regexp = regexp)
  cases <- list(
    case(paste0("`inputs` must be a character vector of picture files, folders or globs ",
                "(such as \"photos/*.jpg\"), not 3."), inputs = 3),
    case("not an empty character vector.", inputs = character()),
    case("`inputs` must be a character vector", inputs = c(photos, NA)),
    case("`inputs` must be a character vector", inputs = ""),
    case("`output_dir` must be a single non-empty string, not NULL.", output_dir = NULL),
    case(paste0("`workers` must be \"auto\" or a single whole number from 1 to 1024, ",
                "not 0."), workers = 0),
    case("not 1.5.", workers = 1.5),
    case("not the string \"all\".", workers = "all"),
    case("`ray` must be a single non-empty string or NULL, not TRUE.", ray = TRUE),
    case("`overwrite` must be TRUE or FALSE", overwrite = "no"),
    case("`progress` must be TRUE or FALSE", progress = NA),
    case("`iterations` must be a single non-negative whole number, not -1.", iterations = -1),
    case("`layers` must be", layers = "mixed3"),
    case(paste0("dream_batch() has no setting `output`; `...` takes the settings of ",
                "deep_dream() for every picture (all but `layers`, `preset`, ",
                "`save_octaves`, `output`, `overwrite` and `callback`)."), output = "x.png"),
    case("`iterations` is given more than once.", iterations = 1, iterations = 2)
  )
  for (case in cases) {
    defaults <- list(inputs = photos, output_dir = out)
    args <- c(defaults[setdiff(names(defaults), names(case$args))], case$args)
    err <- tryCatch(do.call(dream_batch, args), error = function(e) e)
    expect_s3_class(err, "deepdream_argument_error")
    expect_match(conditionMessage(err), case$regexp, fixed = TRUE)
    expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  }
  expect_false(dir.exists(out))
  expect_identical(deepdream:::check_workers(2), 2L)
  expect_identical(deepdream:::check_workers("auto"), "auto")
})

batch_settings <- list(layers = list(mixed3 = 1), weights = NULL, num_octave = 1L,
                       iterations = 2L, border = 0L, seed = 1L)

# A PNG file's pixels, 0..255, as an array height x width x 3.
png_pixels <- function(path) round(png::readPNG(path) * 255)

small_photos <- function(count = 2L) {
  folder <- tempfile("photos")
  dir.create(folder)
  for (index in seq_len(count)) {
    picture <- synthetic_image(96L + 4L * index, 128L)
    save_img(picture, file.path(folder, sprintf("p%d.png", index)))
  }
  folder
}

test_that("dream_batch() writes, names the broken file, and skips what is done", {
  skip_if_no_pydream()
  photos <- small_photos(2L)
  writeLines("not a picture", file.path(photos, "broken.png"))
  out <- tempfile("dreams")
  warned <- character()
  said <- character()
  rows <- withCallingHandlers(
    do.call(dream_batch, c(list(photos, out, workers = 1L, progress = FALSE),
                           batch_settings)),
    warning = function(w) {
      warned <<- c(warned, conditionMessage(w))
      invokeRestart("muffleWarning")
    },
    message = function(m) {
      said <<- c(said, conditionMessage(m))
      invokeRestart("muffleMessage")
    }
  )
  expect_s3_class(rows, "data.frame")
  expect_identical(basename(rows$input), c("broken.png", "p1.png", "p2.png"))
  expect_identical(rows$output, file.path(out, c("broken.png", "p1.png", "p2.png")))
  expect_identical(rows$status, c("failed", "dreamed", "dreamed"))
  expect_match(rows$message[[1]], "broken.png|cannot|not", perl = TRUE)
  expect_identical(rows$message[2:3], c("", ""))
  expect_length(warned, 1L)
  expect_match(warned, "broken.png", fixed = TRUE)
  expect_false(grepl("\n", warned, fixed = TRUE))
  expect_match(said, "dreamed 2, skipped 0, failed 1", fixed = TRUE, all = FALSE)
  expect_true(all(file.exists(file.path(out, c("p1.png", "p2.png")))))

  unlink(file.path(photos, "broken.png"))
  again <- suppressMessages(do.call(
    dream_batch, c(list(photos, out, workers = 1L, progress = FALSE), batch_settings)
  ))
  expect_identical(again$status, c("skipped", "skipped"))
})

test_that("dream_batch() gives deep_dream()'s picture", {
  skip_if_no_pydream()
  photos <- small_photos(1L)
  one <- suppressMessages(do.call(
    dream_batch, c(list(photos, tempfile("one"), workers = 1L), batch_settings)
  ))
  alone <- do.call(deep_dream, c(list(file.path(photos, "p1.png")), batch_settings))
  expect_equal(png_pixels(one$output), unclass(alone), ignore_attr = TRUE)
})

test_that("worker processes started from R dream as Python's do", {
  skip_if_no_pydream()
  weights <- skip_if_no_weights() # an untrained network differs from process to process
  photos <- small_photos(2L)
  settings <- utils::modifyList(batch_settings, list(weights = weights))
  many <- suppressMessages(do.call(
    dream_batch, c(list(photos, tempfile("many"), workers = 2L), settings)
  ))
  expect_identical(many$status, c("dreamed", "dreamed"))
  python_out <- tempfile("python")
  pydream <- reticulate::import("pydream")
  pydream$dream_batch(photos, python_out, workers = 2L, layers = reticulate::dict(mixed3 = 1),
                      weights = weights, num_octave = 1L, iterations = 2L, border = 0L,
                      seed = 1L)
  for (name in c("p1.png", "p2.png")) {
    expect_identical(png_pixels(file.path(python_out, name)),
                     png_pixels(many$output[basename(many$output) == name]))
  }
  # a worker computes with one thread: its rounding differs a little from deep_dream()'s
  alone <- do.call(deep_dream, c(list(file.path(photos, "p1.png")), settings))
  expect_lt(mean(abs(png_pixels(many$output[[1]]) - as.vector(unclass(alone)))), 1)
})
