# Objectives as values (objective_layer(), objective_channel(), objective_class_logit()):
# their algebra and printing in R alone, and dreams identical to those of the named list.

test_that("objectives add, subtract and scale, equal terms merging", {
  dreamed <- 2 * objective_layer("mixed4") + objective_channel("mixed4", 97)
  expect_s3_class(dreamed, "deepdream_objective")
  expect_identical(as.list(dreamed), list(mixed4 = 2, "mixed4:97" = 1))
  expect_identical(as.list(dreamed * 3), list(mixed4 = 6, "mixed4:97" = 3))
  expect_identical(as.list(dreamed / 4), list(mixed4 = 0.5, "mixed4:97" = 0.25))
  expect_identical(as.list(-dreamed), list(mixed4 = -2, "mixed4:97" = -1))
  expect_identical(+dreamed, dreamed)
  expect_identical(
    as.list(dreamed - objective_layer("mixed4") / 4 + objective_layer("mixed5")),
    list(mixed4 = 1.75, "mixed4:97" = 1, mixed5 = 1)
  )
  # a term added again keeps its first place; its weights add up
  merged <- objective_channel("mixed4", 97) + objective_layer("mixed3") +
    2 * objective_channel("mixed4", 97)
  expect_identical(as.list(merged), list("mixed4:97" = 3, mixed3 = 1))
  expect_identical(as.list(objective_layer("a") - objective_layer("a")), list(a = 0))
  expect_identical(as.list(Reduce(`+`, list(objective_layer("a"), objective_layer("b")))),
                   list(a = 1, b = 1))
})

test_that("channel and class keys are the engine's shortest form, counting from 0", {
  key <- function(objective) names(as.list(objective))
  expect_identical(key(objective_channel("mixed4", 97)), "mixed4:97")
  expect_identical(key(objective_channel("mixed4", 97L)), "mixed4:97")
  expect_identical(key(objective_channel("mixed4", c(97, 120))), "mixed4:97,120")
  expect_identical(key(objective_channel("mixed4", 0:15)), "mixed4:0-15")
  expect_identical(key(objective_channel("mixed4", c(5, 1, 2, 3, 9))), "mixed4:5,1-3,9")
  expect_identical(key(objective_channel("mixed4", c(3, 3, 4))), "mixed4:3,4")
  expect_identical(key(objective_class_logit(207)), "predictions:207")
  expect_identical(key(objective_class_logit(0:2, layer = "logits")), "logits:0-2")
  expect_identical(key(objective_layer(" mixed4 ")), "mixed4")
})

test_that("objectives print and format as the sum they stand for", {
  dreamed <- 2 * objective_layer("mixed4") + objective_channel("mixed4", 97)
  expect_identical(format(dreamed), "2 * mixed4 + 1 * mixed4:97")
  expect_output(print(dreamed), "<deepdream objective> 2 * mixed4 + 1 * mixed4:97", fixed = TRUE)
  expect_identical(format(-0.5 * objective_layer("a") + objective_channel("b", 0:15) / 3),
                   "-0.5 * a + 0.333333333333333 * b:0-15")
  expect_identical(format(objective_layer("a") - 2 * objective_layer("b")), "1 * a - 2 * b")
  expect_invisible(print(dreamed))
})

test_that("bad objectives and operations are one-line argument errors", {
  argument_error <- function(code, pattern) {
    err <- expect_error(code, class = "deepdream_argument_error")
    expect_match(conditionMessage(err), pattern, fixed = TRUE)
    expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  }
  mixed4 <- objective_layer("mixed4")
  argument_error(mixed4 * "x", "scaled by a single finite number with `*`, not by")
  argument_error("x" * mixed4, "scaled by a single finite number with `*`")
  argument_error(mixed4 * c(1, 2), "single finite number")
  argument_error(mixed4 * NA, "single finite number")
  argument_error(mixed4 * Inf, "single finite number")
  argument_error(mixed4 * mixed4, "does not apply")
  argument_error(mixed4 + 1, "combined with another objective by `+`")
  argument_error(1 - mixed4, "combined with another objective by `-`")
  argument_error(mixed4 / 0, "cannot be divided by 0")
  argument_error(2 / mixed4, "does not apply")
  argument_error(mixed4 == mixed4, "does not apply")
  argument_error(objective_channel("mixed4", -1),
                 "channel numbers count from 0 (the engine's first channel is 0), not -1")
  argument_error(objective_channel("mixed4", 1.5), "whole channel numbers counting from 0")
  argument_error(objective_channel("mixed4", integer()), "one or more whole channel numbers")
  argument_error(objective_channel("mixed4", "97"), "one or more whole channel numbers")
  argument_error(objective_channel("mixed4", 1e6 + 1), "channel 1000001 is beyond any network")
  argument_error(objective_class_logit(-3), "the engine's first class is 0")
  argument_error(objective_channel("mixed4:97", 3), "is a layer key, not a layer name")
  argument_error(objective_layer(c("a", "b")), "single non-empty string")
  argument_error(objective_layer(""), "single non-empty string")
})

test_that("layers checks turn objectives into their named lists, without Python", {
  check <- deepdream:::check_layers
  dreamed <- 2 * objective_layer("mixed4") + objective_channel("mixed4", 97)
  expect_identical(check(dreamed), check(list(mixed4 = 2, "mixed4:97" = 1)))
  expect_identical(check(list(objective_layer("mixed3"), list(mixed5 = 2))),
                   list(list(mixed3 = 1), list(mixed5 = 2)))
  expect_identical(check(dreamed, allow_schedule = FALSE), list(mixed4 = 2, "mixed4:97" = 1))
  settings <- deepdream:::check_dream_settings(list(layers = dreamed, num_octave = 2L))
  expect_identical(settings$layers, list(mixed4 = 2, "mixed4:97" = 1))
  expect_error(
    deepdream:::check_dream_settings(list(
      layers = list(objective_layer("a"), objective_layer("b"), objective_layer("c")),
      num_octave = 2L
    )),
    "3 per-octave mappings", class = "deepdream_argument_error"
  )
})

test_that("an objective dreams exactly as its named list", {
  skip_if_no_pydream()
  pixels <- synthetic_image(112L, 128L)  # two octaves: the smaller is 80 x 91 pixels
  dream <- function(layers, ...) {
    deep_dream(pixels, layers = layers, weights = NULL, num_octave = 2L, iterations = 2L,
               border = 0L, max_loss = NULL, jitter = 2L, seed = 1L, progress = FALSE, ...)
  }
  by_list <- dream(list(mixed4 = 2, "mixed4:0-15" = 1))
  by_value <- dream(2 * objective_layer("mixed4") + objective_channel("mixed4", 0:15))
  expect_identical(unclass(by_value), unclass(by_list))
  other <- dream(2 * objective_layer("mixed4") + objective_channel("mixed4", 16:31))
  expect_false(identical(unclass(other), unclass(by_list)))
  # one per octave, objectives and lists mixed
  schedule <- dream(list(objective_layer("mixed3"), list(mixed4 = 2)))
  expect_identical(unclass(schedule), unclass(dream(list(list(mixed3 = 1), list(mixed4 = 2)))))
})
