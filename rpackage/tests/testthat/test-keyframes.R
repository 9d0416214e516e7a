# Keyframes of dream_zoom() and dream_video(): the R forms, their checks in R (one line
# naming the argument), and what the engine receives. The runs are in test-motion.R.

# The deepdream_argument_error of `code`, its message on one line.
argument_error <- function(code) {
  err <- tryCatch(code, error = function(e) e)
  expect_s3_class(err, "deepdream_argument_error")
  expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  conditionMessage(err)
}

photo_file <- function() {
  photo <- tempfile(fileext = ".jpg")
  file.create(photo)
  photo
}

test_that("each bad keyframed value of dream_zoom() has its one-line message", {
  photo <- photo_file()
  out <- file.path(tempdir(), "keyframes.gif")
  zoom <- function(...) argument_error(dream_zoom(photo, out, ...))
  expect_identical(
    zoom(frames = 60, zoom = c("48" = 1.1, "10" = 1.02)),
    "`zoom` keyframes must be in increasing frame order: frame 10 comes after frame 48."
  )
  expect_identical(
    zoom(frames = 60, zoom = c("0" = 1.02, "60" = 1.1)),
    paste0("`zoom` keyframe at frame 60 is past the last frame (59) of 60 frames; ",
           "frames are numbered from 0.")
  )
  expect_identical(
    zoom(frames = 60, zoom = seq(1.01, 1.1, length.out = 59)),
    paste0("`zoom` has 59 values but the animation has 60 frames: give one value, one a ",
           "frame, or keyframes such as `c(\"0\" = 1.02, \"48\" = 1.1)` (frames from 0).")
  )
  expect_identical(
    zoom(frames = 60, translate = 4),
    paste0("`translate` must be two finite numbers, c(x, y): pixels a frame, x right and ",
           "y down, not one number; keyframes are a named list of pairs such as ",
           "`list(\"0\" = c(0, 0), \"30\" = c(4, 0))`.")
  )
  expect_match(zoom(frames = 60, translate = c(1, 2, 3, 4)), "not 4 numbers;", fixed = TRUE)
  expect_identical(zoom(frames = 60, loop = "spiral"),
                   "`loop` must be NULL, \"pingpong\" or \"seamless\", not the string \"spiral\".")
  expect_identical(
    zoom(frames = 60, color_lock = "sideways"),
    paste0("`color_lock` must be TRUE, FALSE, \"mean_std\" (each channel's mean and spread) ",
           "or \"histogram\" (each channel's histogram), not the string \"sideways\".")
  )
  expect_identical(zoom(frames = 60, color_lock = NA), sub(
    "the string \"sideways\"", "NA", zoom(frames = 60, color_lock = "sideways"), fixed = TRUE
  ))
  expect_identical(zoom(frames = 60, interpolation = "cubic"),
                   "`interpolation` must be one of \"linear\", \"smooth\", not the string \"cubic\".")
  # non-numbers, in each form
  expect_identical(zoom(frames = 60, zoom = c("0" = "a")),
                   "`zoom[[\"0\"]]` must be a single finite number from 1 to 4, not the string \"a\".")
  expect_identical(zoom(frames = 3, rotate = c("1", "2", "3")),
                   "`rotate[1]` must be a single finite number, not the string \"1\".")
  expect_identical(zoom(frames = 60, zoom = data.frame(frame = c(0, 9), value = c("a", "b"))),
                   "`zoom$value[1]` must be a single finite number from 1 to 4, not the string \"a\".")
  expect_identical(zoom(frames = 60, zoom = "fast"),
                   "`zoom` must be a single finite number from 1 to 4, not the string \"fast\".")
  expect_identical(zoom(frames = 3, iterations = c(2, 3.5, 1)),
                   "`iterations[2]` must be a single non-negative whole number, not 3.5.")
  expect_identical(
    zoom(frames = 60, layers = list("0" = list(mixed3 = 1), "30" = list(mixed5 = "a"))),
    paste0("The contribution of layer \"mixed5\" in `layers[[\"30\"]]` must be a single ",
           "finite number, not the string \"a\".")
  )
  expect_identical(
    zoom(frames = 60, translate = list("0" = c(0, 0), "30" = 4)),
    sub("`translate`", "`translate[[\"30\"]]`", zoom(frames = 60, translate = 4), fixed = TRUE)
  )
})

test_that("keyframe frames, names and tables are checked", {
  photo <- photo_file()
  out <- file.path(tempdir(), "keyframes.gif")
  zoom <- function(...) argument_error(dream_zoom(photo, out, ...))
  expect_identical(
    zoom(frames = 60, step = c("0" = 0.01, "x" = 0.02)),
    paste0("`step` keyframes must be named by frame numbers from 0, such as ",
           "`c(\"0\" = 0.01, \"48\" = 0.03)`, not \"x\"; give one value a frame without names.")
  )
  expect_match(zoom(frames = 60, zoom = c("-1" = 1.1, "3" = 1.2)), "not \"-1\";", fixed = TRUE)
  expect_identical(zoom(frames = 60, step = c("0" = 0.01, "0" = 0.02)),
                   "`step` has two keyframes at frame 0; give each frame once.")
  expect_identical(
    zoom(frames = 60, iterations = c(2, 3)),
    paste0("`iterations` has 2 values but the animation has 60 frames: give one value, one ",
           "a frame, or keyframes such as `c(\"0\" = 2, \"48\" = 6)` (frames from 0).")
  )
  expect_identical(
    zoom(frames = 60, rotate = data.frame(frame = c(0, 10), angle = 1)),
    "`rotate` as a data frame needs the columns `frame`, `value` (one row a keyframe), not `frame`, `angle`."
  )
  expect_match(zoom(frames = 60, rotate = data.frame(frame = c(0, 2.5), value = 1)),
               "^`rotate\\$frame` must hold frame numbers, whole numbers from 0")
  expect_identical(zoom(frames = 60, rotate = data.frame(frame = c(30, 10), value = 1)),
                   "`rotate` keyframes must be in increasing frame order: frame 10 comes after frame 30.")
  expect_identical(zoom(frames = 60, rotate = data.frame(frame = numeric(), value = numeric())),
                   "`rotate` has no keyframes: give at least one row.")
  expect_match(zoom(frames = 60, translate = matrix(0, 59, 2)),
               "^`translate` has 59 values but the animation has 60 frames")
  expect_identical(
    zoom(frames = 60, translate = matrix(0, 60, 3)),
    "`translate` as a matrix must have 2 columns (x, y) and one row a frame, not 60 x 3."
  )
  expect_match(zoom(frames = 60, translate = list(c(0, 0), c(1, 1))),
               "^`translate` keyframes must be a list of c\\(x, y\\) pairs named by frame")
  # the checks that look at one value see the first keyframe
  expect_identical(
    zoom(frames = 60, optimizer = "lbfgs", step = c("0" = 0.01, "30" = 0.02)),
    paste0("`step` applies to optimizer = \"ascent\" only, not optimizer = \"lbfgs\": leave ",
           "it out or change the optimizer.")
  )
  # unknown settings are still refused before their keyframes are looked at
  expect_match(zoom(frames = 60, stepp = c("0" = 1)), "^dream_zoom\\(\\) has no setting `stepp`")
})

test_that("a schedule is checked in R", {
  photo <- photo_file()
  out <- file.path(tempdir(), "keyframes.gif")
  zoom <- function(...) argument_error(dream_zoom(photo, out, frames = 60, ...))
  expect_identical(
    zoom(schedule = data.frame(frame = c(0, 30), zoom = c(1.02, NA), blur = 1)),
    paste0("`schedule` has `blur`, which dream_zoom() cannot change over the frames; it can ",
           "change `zoom`, `rotate`, `translate`, `layers`, `step`, `num_octave`, ",
           "`octave_scale`, `iterations`, `max_loss`, `jitter`, `continuity`, `dream_l2`, ",
           "`smoothing`, `lbfgs_noise`.")
  )
  expect_identical(
    zoom(schedule = data.frame(frame = c(0, 70), zoom = c(1.02, NA))),
    paste0("`schedule` keyframe at frame 70 is past the last frame (59) of 60 frames; ",
           "frames are numbered from 0.")
  )
  expect_identical(
    zoom(schedule = data.frame(frame = c(40, 20), zoom = c(1.02, 1.1))),
    "`schedule` keyframes must be in increasing frame order: frame 20 comes after frame 40."
  )
  expect_identical(zoom(zoom = 1.1, schedule = data.frame(frame = 0, zoom = 1.02)),
                   "`zoom` is given both as an argument and in `schedule`; give it in one place.")
  expect_identical(zoom(step = 0.1, schedule = list("0" = list(step = 0.02))),
                   "`step` is given both as an argument and in `schedule`; give it in one place.")
  expect_identical(zoom(schedule = data.frame(frame = 0, zoom = 0.5)),
                   "`schedule$zoom[1]` must be a single finite number from 1 to 4, not 0.5.")
  expect_identical(zoom(schedule = list("0" = list(zoom = 1.02), "8" = list(step = -1))),
                   "`schedule[[\"8\"]]$step` must be a single finite non-negative number, not -1.")
  expect_match(zoom(schedule = list("0" = list(zoom = 1.02), "x" = list(zoom = 1))),
               "^`schedule` must be named by frame numbers from 0, such as .*, not \"x\".$")
  expect_match(zoom(schedule = list("0" = 1.02)),
               "^`schedule\\[\\[\"0\"\\]\\]` must be a named list of setting = value")
  expect_match(zoom(schedule = 3),
               "^`schedule` must be a data frame with a `frame` column .* not 3\\.$")
  expect_identical(zoom(schedule = data.frame(zoom = 1.02)), paste0(
    "`schedule` as a data frame needs a `frame` column (frames from 0) and one column a ",
    "setting, such as `data.frame(frame = c(0, 48), zoom = c(1.02, 1.1))`."
  ))
  expect_identical(zoom(schedule = data.frame(frame = 0, zoom = NA)),
                   "`schedule` holds only NA: give at least one value.")
  expect_match(zoom(schedule = file.path(tempdir(), "no-schedule.json")),
               "^`schedule` file not found")
})

test_that("dream_video() checks its keyframes in R", {
  clip <- tempfile("clip")
  dir.create(clip)
  out <- file.path(tempdir(), "keyframes-video")
  video <- function(...) argument_error(dream_video(clip, out, ...))
  expect_identical(video(loop = "seamless"), paste0(
    "`loop` must be NULL or \"pingpong\", not the string \"seamless\" (\"seamless\" closes ",
    "a zoom, made by dream_zoom())."
  ))
  expect_identical(video(blend = c("0" = 0.5, "5" = 1.5)),
                   "`blend[[\"5\"]]` must be a single finite number from 0 to 1, not 1.5.")
  expect_identical(video(blend = c("9" = 0.5, "5" = 0.2)),
                   "`blend` keyframes must be in increasing frame order: frame 5 comes after frame 9.")
  expect_match(video(schedule = data.frame(frame = 0, zoom = 1.1)),
               "^`schedule` has `zoom`, which dream_video\\(\\) cannot change")
  expect_identical(video(blend = 0.3, schedule = list("0" = list(blend = 0.5))),
                   "`blend` is given both as an argument and in `schedule`; give it in one place.")
  expect_identical(video(color_lock = 2), sub(
    "the string \"sideways\"", "2",
    argument_error(dream_video(clip, out, color_lock = "sideways")), fixed = TRUE
  ))
})

test_that("the R forms become the checked forms", {
  check <- deepdream:::check_keyframed
  keyframes <- function(frames, values) {
    structure(list(frames = as.integer(frames), values = values), class = "deepdream_keyframes")
  }
  per_frame <- function(values) structure(list(values = values), class = "deepdream_per_frame")
  expect_identical(check(1.05, "zoom"), 1.05)
  expect_identical(check(c("0" = 1.02, "48" = 1.1), "zoom"), keyframes(c(0, 48), list(1.02, 1.1)))
  expect_identical(check(list("0" = 1.02, "48" = 1.1), "zoom"), check(c("0" = 1.02, "48" = 1.1), "zoom"))
  expect_identical(check(data.frame(frame = c(0, 48), value = c(1.02, 1.1)), "zoom"),
                   keyframes(c(0, 48), list(1.02, 1.1)))
  expect_identical(check(c(1, 2, 3), "rotate"), per_frame(list(1, 2, 3)))
  expect_identical(check(c("5" = 2, "9" = 7), "iterations"), keyframes(c(5, 9), list(2L, 7L)))
  expect_identical(check(c(x = 1, y = 2), "translate"), c(1, 2))
  expect_identical(check(c(4L, 0L), "translate"), c(4, 0))
  expect_identical(check(list("0" = c(0, 0), "30" = c(4, 0)), "translate"),
                   keyframes(c(0, 30), list(c(0, 0), c(4, 0))))
  expect_identical(check(cbind(1:2, 3:4), "translate"), per_frame(list(c(1, 3), c(2, 4))))
  expect_identical(check(data.frame(frame = c(0, 5), x = 1:2, y = 0), "translate"),
                   keyframes(c(0, 5), list(c(1, 0), c(2, 0))))
  # a layer mapping is one value; keyframes of layers are named by frames
  expect_identical(check(list(mixed3 = 1, mixed5 = 2), "layers"), list(mixed3 = 1, mixed5 = 2))
  expect_identical(check(list("0" = list(mixed3 = 1), "30" = c(mixed5 = 1.5)), "layers"),
                   keyframes(c(0, 30), list(list(mixed3 = 1), list(mixed5 = 1.5))))
  expect_identical(check(list(list(mixed3 = 1), list(mixed5 = 1)), "layers"),
                   list(list(mixed3 = 1), list(mixed5 = 1)))
  # max_loss keeps NULL (no limit) as a keyframe's value
  expect_identical(check(list("0" = 10, "9" = NULL), "max_loss"), keyframes(c(0, 9), list(10, NULL)))

  schedule <- deepdream:::check_schedule(
    data.frame(frame = c(0, 30, 40, 50), zoom = c(1.02, NA, NA, NA), step = c(NA, 0.2, NA, NA),
               layers = I(list(list(mixed3 = 1), NULL, c(mixed5 = 2), NULL))),
    c("zoom", "step", "layers"), "dream_zoom"
  )
  expect_identical(unclass(schedule), list(
    frames = c(0L, 30L, 40L),
    settings = list(list(zoom = 1.02, layers = list(mixed3 = 1)), list(step = 0.2),
                    list(layers = list(mixed5 = 2))),
    last = 50L
  ))
  named <- deepdream:::check_schedule(
    list("0" = list(zoom = 1.02, translate = c(1, 0)), "48" = list(max_loss = NULL)),
    c("zoom", "translate", "max_loss"), "dream_zoom"
  )
  expect_identical(named$frames, c(0L, 48L))
  expect_identical(named$settings, list(list(zoom = 1.02, translate = c(1, 0)),
                                        list(max_loss = NULL)))
  json <- tempfile(fileext = ".json")
  writeLines("{\"0\": {\"zoom\": 1.02}}", json)
  expect_identical(deepdream:::check_schedule(json, "zoom", "dream_zoom"), json)
})

test_that("the checked forms reach Python as lists, dicts with int keys and tuples", {
  skip_if_no_pydream()
  as_python <- function(name, x) {
    converted <- deepdream:::keyframed_to_python(name, deepdream:::check_keyframed(x, name))
    reticulate::py_repr(reticulate::r_to_py(converted))
  }
  expect_identical(as_python("zoom", c("0" = 1.02, "48" = 1.1)), "{0: 1.02, 48: 1.1}")
  expect_identical(as_python("zoom", list("0" = 1.02, "48" = 1.1)), "{0: 1.02, 48: 1.1}")
  expect_identical(as_python("zoom", c(1.01, 1.02, 1.03)), "[1.01, 1.02, 1.03]")
  expect_identical(as_python("zoom", data.frame(frame = c(0, 5), value = c(1, 2))),
                   "{0: 1.0, 5: 2.0}")
  expect_identical(as_python("zoom", 1.05), "1.05")
  expect_identical(as_python("iterations", c("0" = 2, "10" = 6)), "{0: 2, 10: 6}")
  expect_identical(as_python("translate", c(1, 2)), "(1.0, 2.0)")
  expect_identical(as_python("translate", list("0" = c(0, 0), "30" = c(4, 0))),
                   "{0: (0.0, 0.0), 30: (4.0, 0.0)}")
  expect_identical(as_python("translate", matrix(c(1, 2, 3, 4), 2)), "[(1.0, 3.0), (2.0, 4.0)]")
  expect_identical(as_python("layers", list("0" = list(mixed3 = 1), "30" = list(mixed5 = 1.5))),
                   "{0: {'mixed3': 1.0}, 30: {'mixed5': 1.5}}")
  expect_identical(as_python("max_loss", list("0" = 10, "9" = NULL)), "{0: 10.0, 9: None}")

  schedule <- deepdream:::check_schedule(
    data.frame(frame = c(0, 30, 40), zoom = c(1.02, NA, NA), step = c(NA, 0.2, NA),
               translate = I(list(c(0, 1), NULL, c(2, 0)))),
    c("zoom", "step", "translate"), "dream_zoom"
  )
  expect_identical(
    reticulate::py_repr(deepdream:::schedule_to_python(schedule)),
    "{0: {'zoom': 1.02, 'translate': (0.0, 1.0)}, 30: {'step': 0.2}, 40: {'translate': (2.0, 0.0)}}"
  )
  expect_identical(deepdream:::schedule_to_python("a.json"), "a.json")
})
