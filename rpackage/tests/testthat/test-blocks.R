# The blog's building blocks, on a small synthetic picture and an untrained network.

test_that("preprocess_image() and deprocess_image() are inverse", {
  skip_if_no_pydream()
  path <- synthetic_png(80L, 100L)
  x <- preprocess_image(path)
  expect_identical(dim(x), c(1L, 80L, 100L, 3L))
  expect_true(all(x >= -1 & x <= 1))
  expect_identical(unclass(deprocess_image(x)),
                   array(as.integer(synthetic_image(80L, 100L)), dim = c(80L, 100L, 3L)))
  expect_identical(dim(deprocess_image(x[1, , , ])), c(80L, 100L, 3L))
})

test_that("resize_img() resizes to c(height, width)", {
  skip_if_no_pydream()
  x <- preprocess_image(synthetic_image(80L, 100L))
  small <- resize_img(x, c(40, 50))
  expect_identical(dim(small), c(1L, 40L, 50L, 3L))
  expect_equal(resize_img(x, c(80L, 100L)), x, tolerance = 1e-6)
})

test_that("gradient_ascent() returns an image of the same shape", {
  skip_if_no_pydream()
  x <- preprocess_image(synthetic_image(120L, 120L))
  y <- gradient_ascent(x, iterations = 2L, step = 0.01, layers = list(mixed3 = 1),
                       weights = NULL, border = 0L)
  expect_identical(dim(y), dim(x))
  expect_gt(max(abs(y - x)), 0)
  same <- gradient_ascent(x, iterations = 0L, step = 0.01, layers = list(mixed3 = 1),
                          weights = NULL)
  expect_equal(same, x, tolerance = 1e-6)
})

test_that("save_img() writes a picture that reads back the same", {
  skip_if_no_pydream()
  require_package("png")
  pixels <- synthetic_image(30L, 40L)
  path <- tempfile(fileext = ".png")
  expect_identical(save_img(pixels, path), path)
  back <- png::readPNG(path) * 255
  expect_equal(back, pixels, ignore_attr = TRUE)
})

test_that("octave_shapes() lists the sizes smallest first", {
  skip_if_no_pydream()
  shapes <- octave_shapes(c(1714, 2560), num_octave = 5L, octave_scale = 1.4)
  expect_identical(colnames(shapes), c("height", "width"))
  expect_identical(shapes[5, ], c(height = 1714L, width = 2560L))
  expect_identical(shapes[1, ], c(height = as.integer(1714 / 1.4^4),
                                  width = as.integer(2560 / 1.4^4)))
  expect_warning(octave_shapes(c(100, 100), 3L, 1.4, min_size = 75L), "octaves fit")
})

test_that("list_layers(), dream_presets() and example_image() describe the engine", {
  skip_if_no_pydream()
  expect_identical(list_layers(), paste0("mixed", 0:10))
  presets <- dream_presets()
  expect_true(all(c("jellyfish", "chollet", "tutorial") %in% names(presets)))
  expect_identical(presets$jellyfish$num_octave, 5L)
  expect_identical(presets$jellyfish$layers$mixed6, 5)
  expect_output(print(presets), "jellyfish: layers mixed2 = 0.2", fixed = TRUE)
  expect_error(example_image("zebra"), "unknown example 'zebra'", fixed = TRUE)
  images <- Sys.getenv("PYDREAM_IMAGES", unset = "")
  skip_if_not(nzchar(images) && file.exists(file.path(images, "jellyfish.jpg")),
              "PYDREAM_IMAGES does not hold the example photos")
  expect_identical(normalizePath(example_image("jellyfish")),
                   normalizePath(file.path(images, "jellyfish.jpg")))
})
