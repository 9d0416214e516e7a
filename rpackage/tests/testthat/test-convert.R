# Arrays cross between R and Python as flat column-major lists plus a shape. This works
# with reticulate versions that cannot convert NumPy 2 arrays (Debian 12's reticulate 1.28
# leaves them as Python objects and refuses to make them from R arrays) and with newer ones.

test_that("R arrays reach Python and come back unchanged, in the right orientation", {
  skip_if_no_pydream()
  x <- array(seq_len(2 * 3 * 4) / 7, dim = c(2L, 3L, 4L))
  numpy_array <- deepdream:::r_to_numpy(x, dtype = "float64")
  expect_true(inherits(numpy_array, "numpy.ndarray"))
  expect_identical(reticulate::py_str(numpy_array$dtype), "float64")
  shape <- unlist(reticulate::py_to_r(reticulate::import_builtins(convert = FALSE)$list(
    numpy_array$shape
  )))
  expect_identical(as.integer(shape), c(2L, 3L, 4L))
  # element [i, j, k] in R is [i-1, j-1, k-1] in Python
  expect_equal(reticulate::py_to_r(numpy_array$item(1L, 2L, 3L)), x[2, 3, 4])
  back <- deepdream:::from_python(python_bridge_for_tests()$to_r(numpy_array))
  expect_identical(back, x)
})

test_that("uint8 pictures and float32 tensors cross both ways", {
  skip_if_no_pydream()
  pixels <- synthetic_image(5L, 7L)
  numpy_pixels <- deepdream:::r_to_numpy(pixels, dtype = "uint8")
  expect_identical(reticulate::py_str(numpy_pixels$dtype), "uint8")
  back <- deepdream:::from_python(python_bridge_for_tests()$to_r(numpy_pixels))
  expect_identical(back, array(as.integer(pixels), dim = dim(pixels)))
  single <- deepdream:::r_to_numpy(array(0.25, dim = c(1L, 1L, 1L, 1L)))
  expect_identical(deepdream:::from_python(python_bridge_for_tests()$to_r(single)),
                   array(0.25, dim = c(1L, 1L, 1L, 1L)))
})

test_that("a NumPy result of the engine becomes an R array whatever reticulate does", {
  skip_if_no_pydream()
  pixels <- synthetic_image(90L, 120L)
  x <- preprocess_image(pixels)
  expect_identical(dim(x), c(1L, 90L, 120L, 3L))
  expect_type(x, "double")
  # float32 on the Python side: about 7 significant digits
  expect_lt(max(abs(x[1, 1, 1, ] - (pixels[1, 1, ] / 127.5 - 1))), 1e-6)
  expect_lt(max(abs(x[1, 90, 7, ] - (pixels[90, 7, ] / 127.5 - 1))), 1e-6)
  picture <- deprocess_image(x)
  expect_s3_class(picture, "deep_dream")
  expect_identical(unclass(picture), array(as.integer(pixels), dim = dim(pixels)))
  numpy_version <- reticulate::py_to_r(reticulate::import("numpy", convert = FALSE)$`__version__`)
  message(sprintf("reticulate %s, NumPy %s: arrays crossed as lists",
                  utils::packageVersion("reticulate"), numpy_version))
})
