# visualize(): checks in R, the values it sends to Python, the "deep_dream_pictures" class,
# pictures from an untrained network, and with the real weights the engine's own pictures.

test_that("visualize() checks its arguments in R with one-line errors", {
  case <- function(regexp, ...) list(args = list(...), regexp = regexp)
  cases <- list(
    case(paste0("Give exactly one of `objective`, `layers` and `channels` (what to draw), ",
                "e.g. `objective = \"mixed4:97\"` or `channels = \"mixed4:0-7\"`.")),
    case("(what to draw), not `objective` and `channels` together.",
         objective = "mixed4:97", channels = "mixed4:0-3"),
    case("not `layers` and `channels` together.", layers = "mixed3", channels = "mixed4:0-3"),
    case("`objective`: \"mixed4:x\": names select ImageNet classes", objective = "mixed4:x"),
    case("`objective[[2]]`: the range in \"mixed4:9-0\" runs backwards (9-0).",
         objective = c("mixed3", "mixed4:9-0")),
    case("`objective` is an empty list: give at least one objective.", objective = list()),
    case(paste0("`objective` must be a layer key such as \"mixed4:97\", a named list of keys ",
                "and weights, or an objective such as objective_channel(\"mixed4\", 97), not 3."),
         objective = 3),
    case("`objective[[1]]` must be a layer key", objective = list(TRUE)),
    case("The contribution of layer \"mixed4\" in `objective` must be a single finite number",
         objective = list(mixed4 = "a")),
    case("`layers` must be a character vector of layer names", layers = 4),
    case("`layers`: \"mixed4:97\" is not a layer name; `layers` draws whole layers",
         layers = c("mixed3", "mixed4:97")),
    case("`layers`: \"\" is not a layer name", layers = "mixed3,"),
    case("`channels`: \"mixed4\" names no channels", channels = "mixed4"),
    case("`count` must be a single whole number from 1 to 256, not 0.", objective = "mixed4",
         count = 0),
    case("`size` must be a whole number of pixels from 1 to 4096, or two, c(height, width), not 0.",
         objective = "mixed4", size = 0),
    case("not a double vector of length 3.", objective = "mixed4", size = c(1, 2, 3)),
    case("`iterations` must be a single non-negative whole number, not -1.",
         objective = "mixed4", iterations = -1),
    case("`param` must be one of \"fft\", \"pixel\", not the string \"fourier\".",
         objective = "mixed4", param = "fourier"),
    case("`fft_decay` must be a single finite number from 0 to 10", objective = "mixed4",
         fft_decay = -1),
    case("not c(100, 4097).", objective = "mixed4", size = c(100, 4097)),
    case("`decorrelate` must be TRUE or FALSE", objective = "mixed4", decorrelate = NA),
    case("`transforms` must be \"standard\", NULL (none) or a character vector",
         objective = "mixed4", transforms = 16),
    case("`learning_rate` must be a single finite number greater than 0 and at most 10, not 0.",
         objective = "mixed4",
         learning_rate = 0),
    case("`photo_weight` must be a single finite non-negative number, not -0.5.",
         objective = "mixed4",
         photo_weight = -0.5),
    case("`seed` must be a single non-negative whole number or NULL, not 1.5.",
         objective = "mixed4", seed = 1.5),
    case("`model` must be a model name", objective = "mixed4", model = 3),
    case("`weights` must be \"imagenet\", NULL", objective = "mixed4",
         weights = "no-such-weights.h5"),
    case("`output`: the folder", objective = "mixed4",
         output = file.path(tempdir(), "no-dir", "sheet.png")),
    case("`columns` must be a single whole number from 1 to 64 or NULL, not 0.",
         objective = "mixed4", columns = 0),
    case("`progress` must be TRUE or FALSE", objective = "mixed4", progress = "yes"),
    case("`image` must hold pixel values", objective = "mixed4", image = array(-1, c(2, 2, 3))),
    case("`image` file not found", objective = "mixed4", image = "no-such-photo.jpg")
  )
  for (case in cases) {
    err <- tryCatch(do.call(visualize, case$args), error = function(e) e)
    expect_s3_class(err, "deepdream_argument_error")
    expect_match(conditionMessage(err), case$regexp, fixed = TRUE)
    expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  }
})

test_that("visualize() has the engine's arguments and defaults", {
  expect_identical(names(formals(visualize)), c(
    "objective", "image", "layers", "channels", "count", "size", "iterations", "param",
    "fft_decay", "decorrelate", "transforms", "learning_rate", "photo_weight", "seed",
    "model", "weights", "output", "columns", "progress"
  ))
  defaults <- formals(visualize)
  expect_identical(defaults$size, 224L)
  expect_identical(defaults$iterations, 256L)
  expect_identical(defaults$param, "fft")
  expect_identical(defaults$learning_rate, 0.05)
  expect_identical(defaults$transforms, "standard")
})

test_that("the arguments become the engine's values: keys, lists, objectives, sizes", {
  args <- deepdream:::visualize_arguments
  plain <- args(objective = "mixed4:97 ", size = 160, iterations = 12, seed = 3)
  expect_identical(plain$objective, "mixed4:97")
  expect_identical(plain$size, 160L)
  expect_identical(plain$iterations, 12L)
  expect_identical(plain$seed, 3L)
  expect_identical(plain$transforms, "standard")
  expect_null(plain$image)
  expect_null(plain$columns)
  expect_true("image" %in% names(plain) && "seed" %in% names(plain))
  several <- args(objective = c("mixed4:0", "mixed3"))$objective
  expect_true(attr(several, "several"))
  expect_identical(unclass(several)[1:2], list("mixed4:0", "mixed3"))
  mixed <- args(objective = list(objective_channel("mixed4", 97) * 2, list(mixed3 = 1L)))
  expect_identical(unclass(mixed$objective)[1:2],
                   list(list("mixed4:97" = 2), list(mixed3 = 1)))
  expect_identical(args(objective = objective_layer("mixed4"))$objective, list(mixed4 = 1))
  toward <- objective_direction("mixed4", c(1, -1, 0.5))
  expect_identical(args(objective = toward)$objective, toward)
  expect_identical(args(layers = c("mixed3, mixed4", "mixed5"))$layers,
                   list("mixed3", "mixed4", "mixed5"))
  expect_identical(args(channels = "mixed4:0-7")$channels, list("mixed4:0-7"))
  expect_identical(args(objective = "mixed4", size = c(120, 200))$size, list(120L, 200L))
  expect_null(args(objective = "mixed4", transforms = NULL)$transforms)
  expect_identical(args(objective = "mixed4", transforms = c("pad:16", "rotate:-5-5"))$transforms,
                   list("pad:16", "rotate:-5-5"))
  expect_identical(args(objective = "mixed4", count = 4)$count, 4L)
  expect_identical(dim(args(objective = "mixed4", image = synthetic_image(20L, 30L))$image),
                   c(20L, 30L, 3L))
})

pictures_fixture <- function() {
  one <- function(value) structure(array(value, c(6L, 8L, 3L)), class = "deep_dream")
  deepdream:::new_deep_dream_pictures(list(one(10L), one(120L), one(250L)),
                                      c("mixed4:0", "mixed4:1", "mixed4:2"), columns = 2L)
}

test_that("several pictures print their labels, plot as a grid and subset", {
  pictures <- pictures_fixture()
  expect_s3_class(pictures, "deep_dream_pictures")
  expect_output(print(pictures), paste0(
    "<deep_dream_pictures> 3 pictures of 6 x 8 pixels (height x width)\n",
    "Labels: mixed4:0, mixed4:1, mixed4:2\n"
  ), fixed = TRUE)
  capture.output(expect_invisible(print(pictures)))
  many <- deepdream:::new_deep_dream_pictures(rep(unclass(pictures), 7L)[1:20],
                                              paste0("mixed4:", 0:19))
  expect_output(print(many), "mixed4:11, ... (8", fixed = TRUE)
  expect_s3_class(pictures[[2]], "deep_dream")
  expect_identical(names(pictures[2:3]), c("mixed4:1", "mixed4:2"))
  expect_s3_class(pictures[2:3], "deep_dream_pictures")
  path <- tempfile(fileext = ".png")
  grDevices::png(path, width = 200, height = 160)
  expect_invisible(plot(pictures))
  plot(pictures, columns = 3L, labels = FALSE)
  grDevices::dev.off()
  expect_gt(file.size(path), 0)
  expect_error(plot(pictures, columns = 0), "`columns` must be a single whole number from 1",
               fixed = TRUE, class = "deepdream_argument_error")
  # the engine's N x H x W x 3 -> a list of H x W x 3 pictures, in order
  stack <- array(0L, c(2L, 4L, 5L, 3L))
  stack[2, , , ] <- 7L
  stack[1, 2, 3, 1] <- 200L
  listed <- deepdream:::as_visualization(stack, c("a", "b"))
  expect_identical(names(listed), c("a", "b"))
  expect_identical(dim(listed[[1]]), c(4L, 5L, 3L))
  expect_identical(unclass(listed[[1]])[2, 3, 1], 200L)
  expect_true(all(unclass(listed[[2]]) == 7L))
  single <- deepdream:::as_visualization(stack[1, , , ], "a")
  expect_s3_class(single, "deep_dream", exact = TRUE)
})

test_that("visualize() draws from noise with an untrained network: one, several, a sheet", {
  skip_if_no_pydream()
  one <- visualize("mixed3:5", size = 80L, iterations = 3L, seed = 1L, weights = NULL,
                   progress = FALSE)
  expect_s3_class(one, "deep_dream", exact = TRUE)
  expect_identical(dim(one), c(80L, 80L, 3L))
  expect_true(all(one >= 0 & one <= 255))
  again <- visualize("mixed3:5", size = 80L, iterations = 3L, seed = 1L, weights = NULL,
                     progress = FALSE)
  expect_identical(unclass(again), unclass(one))
  other <- visualize("mixed3:5", size = 80L, iterations = 3L, seed = 2L, weights = NULL,
                     progress = FALSE)
  expect_false(identical(unclass(other), unclass(one)))

  sheet <- tempfile(fileext = ".png")
  atlas <- visualize(channels = "mixed3:0-2", size = c(80L, 96L), iterations = 2L,
                     seed = 1L, weights = NULL, output = sheet, columns = 3L,
                     progress = FALSE)
  expect_s3_class(atlas, "deep_dream_pictures")
  expect_identical(names(atlas), c("mixed3:0", "mixed3:1", "mixed3:2"))
  expect_identical(dim(atlas[[3]]), c(80L, 96L, 3L))
  expect_true(file.exists(sheet))
  require_package("png")
  written <- png::readPNG(sheet)
  # one labelled sheet, three tiles in a row: wider than the three pictures together
  expect_gt(dim(written)[[2]], 3L * 96L)
  expect_gt(dim(written)[[1]], 80L)

  layers <- visualize(layers = "mixed2,mixed3", size = 80L, iterations = 1L, seed = 1L,
                      weights = NULL, progress = FALSE)
  expect_identical(names(layers), c("mixed2", "mixed3"))
  mixed <- visualize(list("mixed3:1", objective_layer("mixed2") * 2), size = 80L,
                     iterations = 1L, seed = 1L, weights = NULL, progress = FALSE)
  expect_identical(names(mixed), c("mixed3:1", "mixed2"))
  # a picture of a list starts as it would alone with the same seed (within a grey level:
  # a batch of two may take other float32 kernels than one picture)
  alone <- visualize("mixed3:1", size = 80L, iterations = 1L, seed = 1L, weights = NULL,
                     progress = FALSE)
  expect_lte(max(abs(unclass(mixed[[1]]) - unclass(alone))), 1)
})

test_that("visualize(): the engine's errors are R conditions, the steps can be stopped", {
  skip_if_no_pydream()
  err <- tryCatch(visualize(objective_neuron("mixed3", 0, x = 500), size = 80L,
                            iterations = 1L, weights = NULL, progress = FALSE),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_setting_error")
  expect_match(conditionMessage(err), "outside the layer", fixed = TRUE)
  err <- tryCatch(visualize("mixed3", size = 80L, iterations = 1L, weights = NULL,
                            transforms = "wobble:3", progress = FALSE),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_error")
  expect_match(conditionMessage(err), "wobble")
  expect_error(visualize("no_such_layer", size = 80L, iterations = 1L, weights = NULL,
                         progress = FALSE), class = "deepdream_layer_error")
  # a step callback sees every step and stops the run when it says so
  seen <- integer()
  kwargs <- deepdream:::visualize_arguments(objective = "mixed3", size = 80L, iterations = 6L,
                                            seed = 1L, weights = NULL)
  result <- deepdream:::run_visualize(kwargs, function(done, total) {
    seen <<- c(seen, done, total)
    done >= 2L
  })
  expect_identical(seen, c(1L, 6L, 2L, 6L))
  expect_null(result$pictures)
  expect_identical(result$stopped, "stopped after 2 of 6 steps")
  finished <- deepdream:::run_visualize(kwargs, function(done, total) FALSE)
  expect_null(finished$stopped)
  expect_identical(dim(finished$pictures), c(80L, 80L, 3L))
})

test_that("with the real weights, visualize() gives the engine's pictures", {
  skip_if_no_pydream()
  weights <- skip_if_no_weights()
  pydream <- reticulate::import("pydream", convert = FALSE)
  bridge <- python_bridge_for_tests()
  from_engine <- function(value) deepdream:::from_python(bridge$to_r(value))
  atlas <- visualize(channels = "mixed4:0-1", size = 96L, iterations = 8L, seed = 4L,
                     weights = weights, progress = FALSE)
  expected <- from_engine(pydream$visualize(channels = "mixed4:0-1", size = 96L,
                                            iterations = 8L, seed = 4L, weights = weights))
  expect_identical(dim(expected), c(2L, 96L, 96L, 3L))
  expect_identical(unclass(atlas[[2]]), expected[2, , , ])
  # accentuation starts from the photo and keeps close to it; a diverse batch differs
  photo <- synthetic_image(72L, 96L)
  accent <- visualize("mixed4:1", image = photo, size = 96L, iterations = 8L, seed = 4L,
                      weights = weights, progress = FALSE)
  expect_identical(dim(accent), c(72L, 96L, 3L))
  expect_lt(mean(abs(unclass(accent) - photo)), 60)
  four <- visualize(objective_channel("mixed4", 1) + objective_diversity("mixed4"),
                    count = 2L, size = 96L, iterations = 4L, seed = 4L, weights = weights,
                    progress = FALSE)
  expect_length(four, 2L)
  expect_false(identical(unclass(four[[1]]), unclass(four[[2]])))
})
