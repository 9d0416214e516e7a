# Objectives beyond whole layers and channels (objective_neuron(), objective_direction(),
# objective_ranked_channels(), objective_channels_except(), objective_diversity(), classes
# by name), their layer keys, and classify(): checks and conversions in R alone, then
# their Python values, dreams with the real weights, and classifying.

key_of <- function(objective) names(as.list(objective))

r_error <- function(code) {
  err <- tryCatch({
    code
    NULL
  }, error = function(e) e)
  expect_s3_class(err, "deepdream_argument_error")
  conditionMessage(err)
}

test_that("the new values have the engine's layer keys and combine like the others", {
  expect_identical(key_of(objective_neuron("mixed4", 97)), "mixed4:97@c")
  expect_identical(key_of(objective_neuron("mixed4", 97, x = 3, y = 5)), "mixed4:97@3,5")
  expect_identical(key_of(objective_neuron("mixed4", 97L, x = 3)), "mixed4:97@3,c")
  expect_identical(key_of(objective_neuron("mixed4", 97, y = 4)), "mixed4:97@c,4")
  expect_identical(key_of(objective_ranked_channels("mixed4", count = 10)), "mixed4:strong10")
  expect_identical(key_of(objective_ranked_channels("mixed4", "weak", 3)), "mixed4:weak3")
  expect_identical(key_of(objective_ranked_channels("mixed4", "avg", 10L)), "mixed4:avg10")
  expect_identical(key_of(objective_channels_except("mixed4", c(3, 7))), "mixed4:~3,7")
  expect_identical(key_of(objective_channels_except("mixed4", 0:3)), "mixed4:~0-3")
  expect_identical(as.list(objective_diversity("mixed4", 0.5)), list("mixed4:diversity" = 0.5))
  expect_identical(key_of(objective_class_logit("tabby")), "predictions:tabby")
  expect_identical(key_of(objective_class_logit(c(" tabby cat", "207", "tabby cat"))),
                   "predictions:tabby cat,207")
  mixed <- 2 * objective_neuron("mixed4", 97, 3, 5) - objective_diversity("mixed5") / 4 +
    objective_ranked_channels("mixed4", "strong", 4) + objective_neuron("mixed4", 97, 3, 5)
  expect_identical(as.list(mixed), list("mixed4:97@3,5" = 3, "mixed5:diversity" = -0.25,
                                        "mixed4:strong4" = 1))
  expect_identical(format(mixed),
                   "3 * mixed4:97@3,5 - 0.25 * mixed5:diversity + 1 * mixed4:strong4")
  # every key goes where `layers` goes, as its named list
  expect_identical(deepdream:::check_layers(mixed), as.list(mixed))
})

test_that("a direction keeps its vector, is told apart by it, and prints it", {
  toward <- objective_direction("mixed4", c(1, 2, 3))
  expect_match(key_of(toward), "^mixed4:direction#[0-9a-f]{10}$")
  expect_match(key_of(objective_direction("mixed4", 1:3, cosine = TRUE)),
               "^mixed4:cosine#[0-9a-f]{10}$")
  expect_identical(key_of(objective_direction("mixed4", c(1, 2, 3))), key_of(toward))
  expect_false(identical(key_of(objective_direction("mixed4", c(1, 2, 4))), key_of(toward)))
  expect_identical(toward$terms[[1]]$vector, c(1, 2, 3))
  expect_identical(as.list(toward * 2 + toward)[[1]], 3)
  expect_output(print(toward + objective_layer("mixed3")), paste0(
    "<deepdream objective> 1 \\* mixed4:direction#[0-9a-f]{10} \\+ 1 \\* mixed3\n",
    "  mixed4:direction#[0-9a-f]{10}: the dot product of mixed4 along c\\(1, 2, 3\\), 3 numbers"
  ))
  expect_output(print(objective_direction("mixed4", seq(0.5, 384, by = 0.5), cosine = TRUE)),
                "the cosine similarity of mixed4 along c(0.5, 1, 1.5, ...), 768 numbers",
                fixed = TRUE)
  # a direction has no layer key: `layers` keeps it as an objective (Python gets the value)
  both <- toward + objective_layer("mixed3")
  expect_identical(deepdream:::check_layers(both), both)
  expect_identical(deepdream:::check_layers(list(list(mixed3 = 1), both))[[2]], both)
})

test_that("bad values are one-line R errors before Python", {
  expect_identical(
    r_error(objective_ranked_channels("mixed4", "strong", 0)),
    "`count`: \"mixed4:strong0\" chooses no channel: give a count from 1, e.g. \"mixed4:strong10\"."
  )
  expect_identical(r_error(objective_ranked_channels("mixed4", "medium", 3)),
                   "`mode` must be one of \"strong\", \"weak\", \"avg\", not the string \"medium\".")
  expect_match(r_error(objective_ranked_channels("mixed4", "weak", 2.5)), "`count` must be")
  expect_match(r_error(objective_ranked_channels("mixed4:3", "weak", 2)), "is a layer key")
  expect_identical(
    r_error(objective_neuron("mixed4", 97, x = "3")),
    paste0("`x` must be a single whole number from 0 (a column of the layer) or NULL (the ",
           "centre), not the string \"3\".")
  )
  expect_match(r_error(objective_neuron("mixed4", 97, y = c(1, 2))), "^`y` must be a single")
  expect_match(r_error(objective_neuron("mixed4", 97, x = -1)), "^`x` must be")
  expect_match(r_error(objective_neuron("mixed4", 1.5)), "^`channel` must be")
  expect_match(r_error(objective_neuron("mixed4", NULL)), "^`channel` must be")
  expect_identical(
    r_error(objective_direction("mixed4", c("1", "2"))),
    paste0("`vector` must be a non-empty numeric vector of finite numbers (one per channel), ",
           "not a character vector of length 2.")
  )
  expect_match(r_error(objective_direction("mixed4", c(1, NA))), "^`vector` must be")
  expect_match(r_error(objective_direction("mixed4", c(1, Inf))), "^`vector` must be")
  expect_match(r_error(objective_direction("mixed4", 1, cosine = NA)), "^`cosine` must be")
  expect_match(r_error(objective_diversity("mixed4", "1")), "^`weight` must be")
  expect_match(r_error(objective_channels_except("mixed4", integer())), "^`channels` must be")
  expect_match(r_error(objective_class_logit("tabby", layer = "mixed4")),
               "names select ImageNet classes of \"predictions\"")
  expect_match(r_error(objective_class_logit(c("tabby", NA))), "^`classes` must be")
  expect_match(r_error(objective_class_logit("tabby,cat")), "^`classes` must be")
})

test_that("layers takes the new keys, checked in R as the engine reads them", {
  check <- function(key) deepdream:::check_layers(stats::setNames(list(1), key))
  for (key in c("mixed4:97@3,5", "mixed4:97@c", "mixed4:97@3,c", "mixed4: strong 4",
                "mixed4:weak1", "mixed4:avg10", "mixed4:~3,7", "mixed4:~0-15",
                "mixed4:diversity", "predictions:tabby", "predictions:tabby cat,207",
                "predictions:Great_White_Shark")) {
    expect_identical(names(check(key)), key)
  }
  expect_identical(
    r_error(check("mixed4:strong0")),
    "`layers`: \"mixed4:strong0\" chooses no channel: give a count from 1, e.g. \"mixed4:strong10\"."
  )
  expect_identical(r_error(check("mixed4:97@3")), "`layers`: \"mixed4:97@3\" must end in @X,Y or @c.")
  expect_match(r_error(check("mixed4:tabby")), "names select ImageNet classes of \"predictions\"")
  expect_match(r_error(check("mixed4:direction#0123")), "is a direction's label, not a key")
  expect_match(r_error(check("mixed4:~")), "must look like LAYER:CHANNEL")
  expect_match(r_error(check("mixed4:~5-2")), "runs backwards")
  expect_match(r_error(check("mixed4:97@")), "must look like LAYER:CHANNEL")
  # a letter makes a selection class names, as in the engine
  expect_match(r_error(check("mixed4:97@x,3")), "names select ImageNet classes")
  expect_match(r_error(check("predictions:tabby,,3")), "has an empty class name")
  # in deep_dream() and the animations' settings alike
  settings <- deepdream:::check_dream_settings(list(layers = list("mixed4:strong4" = 1)))
  expect_identical(settings$layers, list("mixed4:strong4" = 1))
  expect_match(r_error(deep_dream(synthetic_image(40L, 40L), layers = list("mixed4:avg0" = 1))),
               "chooses no channel")
  expect_match(r_error(dream_zoom(synthetic_image(40L, 40L), tempfile(fileext = ".gif"),
                                  frames = 2L, layers = list("mixed4:weak0" = 1))),
               "chooses no channel")
  # a gallery dreams layers and single channels: the engine's gallery reads index keys only
  expect_match(r_error(dream_gallery(synthetic_image(40L, 40L), layers = "mixed4:strong4")),
               "must look like LAYER:CHANNEL")
})

test_that("the values become the engine's objectives", {
  skip_if_no_pydream()
  reticulate::py_run_string("import pydream.objectives as o")
  # the R value as Python gets it equals the engine's value written in Python
  same <- function(r_value, python_code) {
    equal <- reticulate::py_eval(paste0("lambda value: value == ", python_code))
    expect_true(equal(reticulate::r_to_py(r_value)), label = python_code)
  }
  same(objective_neuron("mixed4", 97, x = 3, y = 5) * 2, "o.neuron('mixed4', 97, x=3, y=5) * 2")
  same(objective_neuron("mixed4", 97), "o.neuron('mixed4', 97)")
  same(objective_ranked_channels("mixed4", "avg", 4), "o.ranked_channels('mixed4', 'avg', 4)")
  same(objective_channels_except("mixed4", c(3, 7)), "o.channels_except('mixed4', [3, 7])")
  same(objective_diversity("mixed4", 0.5), "o.diversity('mixed4', 0.5)")
  same(objective_class_logit("tabby cat") - objective_layer("mixed3"),
       "o.class_logit(281) - o.layer('mixed3')")
  same(objective_direction("mixed4", c(1, 2, 3), cosine = TRUE) / 2,
       "o.direction('mixed4', [1, 2, 3], cosine=True) / 2")
  expect_identical(
    reticulate::py_repr(reticulate::r_to_py(objective_direction("mixed4", 1:2) +
                                              objective_neuron("mixed5", 1, x = 2))),
    "direction('mixed4', [1.0, 2.0]) + neuron('mixed5', 1, x=2)"
  )
  # an unknown class name is the engine's one-line error, at the dream
  err <- tryCatch(deep_dream(synthetic_image(80L, 80L), layers = objective_class_logit("tabbby"),
                             weights = NULL, progress = FALSE), error = function(e) e)
  expect_s3_class(err, "deepdream_setting_error")
  expect_match(conditionMessage(err), "no ImageNet class is named 'tabbby'; did you mean 'tabby'")
})

# The jellyfish photo shrunk to `width` pixels wide (as the engine's tests shrink it), a PNG.
shrunk_jellyfish <- function(width) {
  images <- Sys.getenv("PYDREAM_IMAGES", unset = "")
  source <- file.path(images, "jellyfish.jpg")
  if (!nzchar(images) || !file.exists(source)) {
    skip_or_fail("PYDREAM_IMAGES does not hold the example photos")
  }
  path <- tempfile(fileext = ".png")
  image <- reticulate::import("PIL.Image")$open(source)
  image$thumbnail(reticulate::tuple(as.integer(width), as.integer(width)))
  image$save(path)
  path
}

real_settings <- function(weights) {
  list(weights = weights, num_octave = 1L, iterations = 5L, step = 0.02, max_loss = NULL,
       border = 0L, progress = FALSE)
}

test_that("real weights: the strongest channels are chosen once and said in a message", {
  skip_if_no_pydream()
  weights <- skip_if_no_weights()
  path <- shrunk_jellyfish(150L)
  notes <- character()
  dream <- withCallingHandlers(
    do.call(deep_dream, c(list(path, layers = list("mixed4:strong4" = 1)), real_settings(weights))),
    deepdream_note = function(m) {
      notes <<- c(notes, conditionMessage(m))
      invokeRestart("muffleMessage")
    }
  )
  chosen <- grep("chose channels", notes, value = TRUE)
  expect_length(chosen, 1L)
  expect_match(chosen, "^mixed4:strong4 chose channels [0-9]+(,[0-9]+){3} of mixed4 ")
  indices <- as.integer(strsplit(sub("^.*chose channels ([0-9,]+) .*$", "\\1", chosen), ",")[[1]])
  selection <- reticulate::import("pydream.engine.selection", convert = FALSE)
  means <- deepdream:::from_python(deepdream:::python_bridge()$to_r(
    selection$mean_activation(path, "mixed4", weights = weights)
  ))
  expect_identical(sort(indices), sort(order(-means)[1:4] - 1L))
  photo <- deepdream:::from_python(deepdream:::python_bridge()$to_r(
    reticulate::import("numpy", convert = FALSE)$asarray(
      reticulate::import("PIL.Image", convert = FALSE)$open(path)$convert("RGB")
    )
  ))
  expect_gt(mean(abs(unclass(dream) - photo)), 1)
  # the same choice from the objective value
  again <- suppressMessages(do.call(deep_dream, c(
    list(path, layers = objective_ranked_channels("mixed4", "strong", 4)), real_settings(weights)
  )))
  expect_identical(unclass(again), unclass(dream))
})

test_that("real weights: a neuron's dream from R is Python's within one grey level", {
  skip_if_no_pydream()
  weights <- skip_if_no_weights()
  path <- shrunk_jellyfish(150L)
  settings <- real_settings(weights)
  dream <- do.call(deep_dream, c(list(path, layers = objective_neuron("mixed4", 97)), settings))
  pydream <- reticulate::import("pydream", convert = FALSE)
  settings$progress <- NULL
  python <- do.call(pydream$deep_dream, c(list(path, pydream$objectives$neuron("mixed4", 97L)),
                                          settings))
  python <- deepdream:::from_python(deepdream:::python_bridge()$to_r(python))
  expect_identical(dim(unclass(dream)), dim(python))
  expect_lte(max(abs(unclass(dream) - python)), 1)
  # the centre neuron's dream is in the middle of the picture (100 x 150 pixels)
  photo <- deepdream:::from_python(deepdream:::python_bridge()$to_r(
    reticulate::import("numpy", convert = FALSE)$asarray(
      reticulate::import("PIL.Image", convert = FALSE)$open(path)$convert("RGB")
    )
  ))
  change <- apply(abs(unclass(dream) - photo), c(1, 2), mean)
  middle <- matrix(FALSE, 100L, 150L)
  middle[26:75, 51:100] <- TRUE
  expect_gt(mean(change[middle]), 4 * mean(change[!middle]))
})

test_that("classify() checks its arguments in R", {
  expect_match(r_error(classify(synthetic_image(40L, 40L), top = 0)), "^`top` must be")
  expect_match(r_error(classify(synthetic_image(40L, 40L), size = "big")), "^`size` must be")
  expect_match(r_error(classify(synthetic_image(40L, 40L), model = 3)), "^`model` must be")
  expect_match(r_error(classify(tempfile(fileext = ".png"))), "`image`")
})

test_that("classify() without the classification top is a one-line weights error", {
  skip_if_no_pydream()
  weights <- skip_if_no_weights()
  err <- tryCatch(classify(synthetic_image(80L, 80L), weights = weights), error = function(e) e)
  expect_s3_class(err, "deepdream_weights_error")
  expect_s3_class(err, "deepdream_value_error")
  expect_match(conditionMessage(err), "has no classification top", fixed = TRUE)
  expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
})

test_that("classify() gives the softmax of a tiny classifier's logits, with ImageNet names", {
  skip_if_no_pydream()
  # logits = 3 * mean(R) for class 1, 3 * mean(G) for class 2, 1 for class 0, 0 else (as
  # the engine's tests build it)
  main <- reticulate::py_run_string(paste(
    "import keras, numpy as np",
    "def tiny_classifier(classes):",
    "    inputs = keras.Input(shape=(None, None, 3))",
    "    conv = keras.layers.Conv2D(3, 1, use_bias=False, name='features')(inputs)",
    "    pooled = keras.layers.GlobalAveragePooling2D(name='avg_pool')(conv)",
    "    outputs = keras.layers.Dense(classes, activation='softmax', name='predictions')(pooled)",
    "    model = keras.Model(inputs, outputs)",
    "    model.get_layer('features').set_weights([np.eye(3, dtype=np.float32).reshape(1, 1, 3, 3)])",
    "    kernel = np.zeros((3, classes), np.float32)",
    "    kernel[0, 1], kernel[1, 2] = 3.0, 3.0",
    "    bias = np.zeros(classes, np.float32)",
    "    bias[0] = 1.0",
    "    model.get_layer('predictions').set_weights([kernel, bias])",
    "    return model",
    sep = "\n"
  ), convert = FALSE)
  red <- array(0, c(30L, 30L, 3L))
  red[, , 1] <- 255  # R = 1, G = B = -1 after preprocessing: logits 1, 3, -3, 0, ...
  found <- classify(red, top = 3, model = main$tiny_classifier(1000L), size = 16L)
  expect_s3_class(found, "data.frame")
  expect_identical(names(found), c("index", "name", "probability"))
  expect_identical(found$index, c(1L, 0L, 3L))
  expect_identical(found$name, c("goldfish", "tench", "tiger shark"))
  logits <- c(1, 3, -3, rep(0, 997))
  expect_equal(found$probability, (exp(logits) / sum(exp(logits)))[c(2, 1, 4)], tolerance = 1e-6)
  few <- classify(red, top = 9, model = main$tiny_classifier(4L), size = 16L)
  expect_identical(few$name, c("class 1", "class 0", "class 3", "class 2"))
  # the class classify() names is the class the objective raises
  reticulate::py_run_string("import pydream.objectives as o")
  equal <- reticulate::py_eval("lambda value, index: value == o.class_logit(index)")
  expect_true(equal(reticulate::r_to_py(objective_class_logit(found$name[[1]])),
                    found$index[[1]]))
})
