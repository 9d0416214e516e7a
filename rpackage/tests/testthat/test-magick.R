# magick images as pictures, and dreams as magick images; the other R picture conventions.

test_that("a magick image becomes the same pixels as the array it was made from", {
  require_package("magick")
  pixels <- synthetic_image(12L, 17L)
  img <- magick::image_read(pixels / 255)
  expect_identical(deepdream:::check_image(img), array(as.integer(pixels), dim = dim(pixels)))
  # top row, last column stays there (height x width, not transposed)
  expect_identical(deepdream:::check_image(img)[1, 17, ], as.integer(pixels[1, 17, ]))
})

test_that("grey and transparent magick images keep their channels", {
  require_package("magick")
  grey <- magick::image_convert(magick::image_read(synthetic_image(8L, 9L) / 255),
                                colorspace = "gray")
  expect_identical(dim(deepdream:::check_image(grey)), c(8L, 9L))
  rgba <- magick::image_transparent(magick::image_read(synthetic_image(8L, 9L) / 255), "black")
  expect_identical(dim(deepdream:::check_image(rgba)), c(8L, 9L, 4L))
  mask <- magick::image_read(array(rep(c(0, 1), each = 8L * 5L), dim = c(8L, 10L, 3L)))
  checked <- deepdream:::check_mask(mask)
  expect_identical(dim(checked), c(8L, 10L))
  expect_equal(range(checked[, 1:5]), c(0, 0))
  expect_equal(range(checked[, 6:10]), c(1, 1))
})

test_that("a magick image of several frames is a one-line error", {
  require_package("magick")
  frames <- c(magick::image_blank(4, 4, "red"), magick::image_blank(4, 4, "blue"))
  expect_error(deep_dream(frames), "`image` is a magick image of 2 frames; pick one, e.g. `image[1]`.",
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(deep_dream(synthetic_image(), guide = frames), "`guide` is a magick image of 2",
               fixed = TRUE)
})

test_that("as_magick() turns a dream into a magick image and back unchanged", {
  require_package("magick")
  dream <- structure(synthetic_image(10L, 14L), class = "deep_dream")
  img <- as_magick(dream)
  expect_s3_class(img, "magick-image")
  info <- magick::image_info(img)
  expect_identical(c(info$width, info$height), c(14L, 10L))
  expect_identical(deepdream:::check_image(img), unclass(deepdream:::check_pixels(dream)))
  grey <- as_magick(matrix(c(0, 255), 3, 4))
  expect_identical(magick::image_info(grey)$width, 4L)
  expect_error(as_magick("photo.jpg"), "read a file with magick::image_read()", fixed = TRUE,
               class = "deepdream_argument_error")
  expect_error(as_magick(array(300, c(2, 2, 3))), "from 0 to 255", fixed = TRUE)
})

test_that("dreams work with plot(), as.raster() and png::writePNG(x / 255)", {
  dream <- structure(synthetic_image(10L, 14L), class = "deep_dream")
  raster <- as.raster(dream)
  expect_s3_class(raster, "raster")
  expect_identical(dim(raster), c(10L, 14L))
  file <- tempfile(fileext = ".pdf")
  grDevices::pdf(file)
  expect_invisible(plot(dream))
  grDevices::dev.off()
  require_package("png")
  path <- tempfile(fileext = ".png")
  png::writePNG(dream / 255, path)
  back <- png::readPNG(path)
  expect_identical(dim(back), dim(dream))
  expect_equal(round(back * 255), unclass(dream) * 1, ignore_attr = TRUE)
})
