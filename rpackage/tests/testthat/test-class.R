# The "deep_dream" class: print(), plot() and as.raster() (no Python needed).

dream_fixture <- function() {
  pixels <- array(0L, dim = c(2L, 3L, 3L))
  pixels[1, 1, ] <- c(255L, 0L, 0L)
  pixels[2, 3, ] <- c(0L, 0L, 255L)
  deepdream:::as_deep_dream(pixels)
}

test_that("print() shows the size, not the pixels", {
  expect_output(print(dream_fixture()), "<deep_dream> 2 x 3 pixels", fixed = TRUE)
  capture.output(expect_invisible(print(dream_fixture())))
})

test_that("as.raster() keeps orientation and colours", {
  raster <- as.raster(dream_fixture())
  expect_s3_class(raster, "raster")
  expect_identical(dim(raster), c(2L, 3L))
  expect_identical(toupper(as.matrix(raster)[1, 1]), "#FF0000")
  expect_identical(toupper(as.matrix(raster)[2, 3]), "#0000FF")
  expect_identical(toupper(as.matrix(raster)[1, 2]), "#000000")
})

test_that("plot() draws the dream on a graphics device", {
  path <- tempfile(fileext = ".png")
  grDevices::png(path, width = 60, height = 40)
  expect_invisible(plot(dream_fixture()))
  grDevices::dev.off()
  expect_true(file.exists(path))
  require_package("png")
  drawn <- png::readPNG(path)
  expect_gt(max(drawn[, , 1]), 0.9)
})

test_that("as.array() drops the class", {
  expect_false(inherits(as.array(dream_fixture()), "deep_dream"))
  expect_identical(dim(as.array(dream_fixture())), c(2L, 3L, 3L))
})
