# dream_gallery(): checks in R, the "deep_dream_gallery" class, and small sheets dreamed
# with an untrained network.

test_that("dream_gallery() checks its arguments and settings in R", {
  photo <- tempfile(fileext = ".jpg")
  file.create(photo)
  case <- function(regexp, ...) list(args = list(...), regexp = regexp)
  cases <- list(
    case("`size` must be a single whole number from 160 to 2048, not 100.", size = 100),
    case("not 4096.", size = 4096),
    case("`columns` must be a single whole number from 1 to 64 or NULL, not 0.", columns = 0),
    case(paste0("`layers` must be a character vector of layer keys, e.g. ",
                "`c(\"mixed3\", \"mixed4:97\")`, or NULL, not 3."), layers = 3),
    case("not an empty character vector.", layers = character()),
    case("`layers` must be a character vector", layers = c("mixed3", NA)),
    case(paste0("`layers`: \"mixed3,mixed4\" holds several layer names; give one key per ",
                "element"), layers = "mixed3,mixed4"),
    case("`layers`: \"mixed4:x\" must look like LAYER:CHANNEL", layers = "mixed4:x"),
    case(paste0("`channels`: \"mixed4\" names no channels; write LAYER:FIRST-LAST, e.g. ",
                "\"mixed4:0-15\"."), channels = "mixed4"),
    case("`channels`: the range in \"mixed4:9-0\" runs backwards (9-0).",
         channels = "mixed4:9-0"),
    case(paste0("`channels` must be a character vector of layer keys, e.g. ",
                "`c(\"mixed4:0-15\")`"), channels = list("mixed4:0-3")),
    case("`preset` must be a single non-empty string or NULL", preset = 1),
    case("`overwrite` must be TRUE or FALSE", overwrite = NA),
    case("`progress` must be TRUE or FALSE", progress = "yes"),
    case("does not exist", output = file.path(tempdir(), "no-dir", "sheet.png")),
    case("`iterations` must be a single non-negative whole number, not -1.", iterations = -1),
    case("`smoothing` must be a single finite number from 0 to 100", smoothing = 500),
    case("`mask` must be a file path or a numeric matrix", mask = c(1, 0)),
    case("`guide` must hold pixel values", guide = array(-1, c(2, 2, 3))),
    case("are for a Keras model object given as `model`", preprocess = "tf"),
    case(paste0("dream_gallery() has no setting `save_octaves`; `...` takes the settings of ",
                "deep_dream() that the tiles share (all but `layers`, `save_octaves` and ",
                "`callback`)."), save_octaves = tempdir()),
    case("has no setting `callback`, `learning_rate`;", callback = function(...) FALSE,
         learning_rate = 1),
    case("`iterations` is given more than once.", iterations = 1, iterations = 2),
    # every argument before `...` given by position: 5 lands in `...`
    case("Every setting in `...` must be named, e.g. `iterations = 5`",
         "mixed3", NULL, NULL, 256L, NULL, NULL, FALSE, FALSE, TRUE, 5)
  )
  for (case in cases) {
    err <- tryCatch(do.call(dream_gallery, c(list(photo), case$args)), error = function(e) e)
    expect_s3_class(err, "deepdream_argument_error")
    expect_match(conditionMessage(err), case$regexp, fixed = TRUE)
    expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  }
  expect_error(dream_gallery(file.path(tempdir(), "no-photo.jpg")), "`image` file not found",
               fixed = TRUE)
  expect_identical(deepdream:::check_layer_keys(c("mixed3", "mixed4:97,120"), "layers"),
                   list("mixed3", "mixed4:97,120"))
  expect_identical(deepdream:::check_layer_keys("mixed4:0-15", "channels", channels = TRUE),
                   list("mixed4:0-15"))
})

gallery_fixture <- function() {
  sheet <- array(24L, dim = c(30L, 60L, 3L))
  sheet[5:10, 5:10, 1] <- 255L
  deepdream:::new_deep_dream_gallery(sheet, c("mixed3", "mixed4:0"))
}

test_that("a gallery prints its tiles, plots, and is a deep_dream array", {
  sheet <- gallery_fixture()
  expect_s3_class(sheet, c("deep_dream_gallery", "deep_dream"), exact = TRUE)
  expect_output(print(sheet), paste0(
    "<deep_dream_gallery> 30 x 60 pixels (height x width): the photo and 2 dreams\n",
    "Tiles: photo, mixed3, mixed4:0"
  ), fixed = TRUE)
  capture.output(expect_invisible(print(sheet)))
  many <- deepdream:::new_deep_dream_gallery(unclass(sheet), paste0("mixed4:", 0:19))
  expect_output(print(many), "mixed4:11, ... (8 more)", fixed = TRUE)
  path <- tempfile(fileext = ".png")
  grDevices::png(path, width = 60, height = 30)
  expect_invisible(plot(sheet))
  grDevices::dev.off()
  expect_gt(file.size(path), 0)
  expect_identical(dim(as.raster(sheet)), c(30L, 60L))
  plain <- as.array(sheet)
  expect_null(attributes(plain)$entries)
  expect_null(attributes(plain)$class)
  expect_identical(dim(plain), c(30L, 60L, 3L))
})

test_that("dream_gallery() lays out the photo and one dream per layer and channel", {
  skip_if_no_pydream()
  pixels <- synthetic_image(120L, 160L)
  sheet <- dream_gallery(pixels, layers = c("mixed3", "mixed5"), channels = "mixed4:0-1",
                         size = 160L, columns = 3L, weights = NULL, num_octave = 1L,
                         iterations = 2L, border = 0L, progress = FALSE)
  expect_s3_class(sheet, "deep_dream_gallery")
  expect_s3_class(sheet, "deep_dream")
  expect_identical(attr(sheet, "entries"), c("mixed3", "mixed5", "mixed4:0", "mixed4:1"))
  # 5 tiles of 160 x 120 in 3 columns: 2 rows, each tile with a 22-pixel label, 4-pixel gaps
  expect_identical(dim(sheet), c(2L * (120L + 22L + 4L) + 4L, 3L * (160L + 4L) + 4L, 3L))
  expect_true(all(sheet >= 0 & sheet <= 255))
  # the first tile is the photo itself
  expect_identical(unclass(sheet)[5:124, 5:164, ],
                   array(as.integer(pixels), dim = dim(pixels)))
  expect_output(print(sheet), "the photo and 4 dreams", fixed = TRUE)

  # the engine's progress bar counts the dreams on Python's error stream
  output <- tempfile(fileext = ".png")
  bar <- reticulate::py_capture_output(
    again <- dream_gallery(pixels, layers = "mixed3", size = 160L, weights = NULL,
                           num_octave = 1L, iterations = 1L, border = 0L, output = output,
                           progress = TRUE),
    type = "stderr"
  )
  expect_match(bar, "mixed3: 100%", fixed = TRUE)
  expect_match(bar, "1/1", fixed = TRUE)
  expect_true(file.exists(output))
  expect_identical(attr(again, "entries"), "mixed3")
  require_package("png")
  expect_equal(png::readPNG(output) * 255, unclass(again), ignore_attr = TRUE)
})

test_that("dream_gallery() shares guide, mask and the other settings with every tile", {
  skip_if_no_pydream()
  # the real weights: an untrained network's channels can all be off on a smooth picture,
  # and then its tile does not change at all
  weights <- skip_if_no_weights()
  pixels <- synthetic_image(120L, 160L)
  mask <- matrix(1, 120L, 160L)
  mask[, 1:80] <- 0
  sheet <- dream_gallery(pixels, layers = c("mixed3", "mixed4:0-3"), size = 160L,
                         columns = 3L, weights = weights, num_octave = 1L, iterations = 2L,
                         border = 0L, mask = mask, guide = synthetic_image(90L, 90L),
                         normalize = "laplacian", smoothing = 1, progress = FALSE)
  tile <- function(index) {
    left <- 4L + (index - 1L) * 164L + 1L
    unclass(sheet)[5:124, left:(left + 159L), ]
  }
  photo <- tile(1L)
  for (index in 2:3) {
    dream <- tile(index)
    expect_identical(dream[, 1:76, ], photo[, 1:76, ])  # masked: the photo
    expect_gt(max(abs(dream[, 90:160, ] - photo[, 90:160, ])), 0)
  }
})

test_that("engine errors of a gallery are one-line R errors", {
  skip_if_no_pydream()
  pixels <- synthetic_image(120L, 160L)
  err <- tryCatch(dream_gallery(pixels, channels = "mixed4:0-300", weights = NULL,
                                size = 160L, progress = FALSE),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_value_error")
  expect_identical(conditionMessage(err),
                   "a gallery of 301 dreams is too many; choose at most 256")
  err <- tryCatch(dream_gallery(pixels, layers = c("mixed3", "mixed27"), weights = NULL,
                                size = 160L, progress = FALSE),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_value_error")
  expect_match(conditionMessage(err), "unknown layer 'mixed27'", fixed = TRUE)
  expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  err <- tryCatch(dream_gallery(pixels, layers = "mixed4:800", weights = NULL, size = 160L,
                                progress = FALSE),
                  error = function(e) e)
  expect_match(conditionMessage(err), "past the last channel of mixed4", fixed = TRUE)
})

test_that("photo = FALSE leaves the picture itself off the sheet", {
  expect_error(dream_gallery(synthetic_image(120L, 160L), layers = "mixed3", photo = NA),
               "photo")
  plain <- deepdream:::new_deep_dream_gallery(array(0L, c(30, 60, 3)), "mixed3", FALSE)
  expect_output(print(plain), "pixels (height x width): 1 dream\nTiles: mixed3", fixed = TRUE)
  skip_if_no_pydream()
  pixels <- synthetic_image(120L, 160L)
  sheet <- dream_gallery(pixels, layers = "mixed3", size = 160L, columns = 1L, photo = FALSE,
                         weights = NULL, num_octave = 1L, iterations = 1L, border = 0L,
                         progress = FALSE)
  expect_identical(dim(sheet), c(120L + 22L + 4L + 4L, 160L + 4L + 4L, 3L))
  expect_false(attr(sheet, "photo"))
  expect_false(identical(unclass(sheet)[5:124, 5:164, ],
                         array(as.integer(pixels), dim = dim(pixels))))
})
