# dream_zoom() and dream_video(): checks in R, tiny animations with an untrained network,
# the progress bar, stopping and resuming.

skip_if_no_video_extra <- function() {
  skip_if_no_pydream()
  for (module in c("cv2", "imageio", "imageio_ffmpeg")) {
    if (!reticulate::py_module_available(module)) {
      skip_or_fail(paste0("the engine's video extra is not installed (no ", module, "): ",
                  "pip install 'pydream-keras[video]'"))
    }
  }
}

# The settings of every tiny animation here: an untrained network, one octave, one step.
tiny <- list(layers = list(mixed3 = 1), weights = NULL, num_octave = 1L, iterations = 1L,
             step = 0.1, border = 0L, seed = 3L)

tiny_zoom <- function(output, ..., frames = 3L, zoom = 1.1) {
  do.call(dream_zoom, c(list(zoom_picture(), output, frames = frames, zoom = zoom),
                        utils::modifyList(tiny, list(...))))
}

zoom_picture <- function() synthetic_image(96L, 96L)

# A folder of `frames` crops of a wide synthetic picture, the view moving 4 pixels a frame.
pan_folder <- function(frames = 4L) {
  wide <- synthetic_image(80L, 96L + 4L * frames)
  folder <- tempfile("pan")
  dir.create(folder)
  for (i in seq_len(frames) - 1L) {
    save_img(wide[, 4L * i + seq_len(96L), ], file.path(folder, sprintf("pan_%d.png", i)))
  }
  folder
}

frame_hashes <- function(folder) {
  files <- list.files(folder, pattern = "^frame_[0-9]+[.]png$", full.names = TRUE)
  unname(tools::md5sum(sort(files)))
}

# The value of `code` and the messages it signalled (muffled), with the console output.
with_messages <- function(code) {
  messages <- character()
  output <- utils::capture.output(value <- withCallingHandlers(code, message = function(m) {
    messages <<- c(messages, conditionMessage(m))
    invokeRestart("muffleMessage")
  }))
  list(value = value, messages = messages, output = output)
}

test_that("dream_zoom() and dream_video() check their arguments in R", {
  photo <- tempfile(fileext = ".jpg")
  file.create(photo)
  clip <- tempfile("clip")
  dir.create(clip)
  out <- file.path(tempdir(), "anim.gif")
  case <- function(fun, regexp, ...) list(fun = fun, args = list(...), regexp = regexp)
  zoom <- function(regexp, ...) case(dream_zoom, regexp, photo, ...)
  video <- function(regexp, ...) case(dream_video, regexp, ...)
  cases <- list(
    zoom("`frames` is missing: give the number of frames, e.g. `frames = 24`.", out),
    zoom("`frames` must be a single whole number from 1 to 1000000, not 0.", out, frames = 0),
    zoom("`frames` must be a single whole number from 1 to 1000000, not 2.5.", out, 2.5),
    zoom("not the string \"3\".", out, frames = "3"),
    zoom("`zoom` must be a single finite number from 1 to 4, not 0.9.", out, 3, zoom = 0.9),
    zoom("`zoom` must be a single finite number from 1 to 4, not 5.", out, 3, zoom = 5),
    zoom("`rotate` must be a single finite number, not NA.", out, 3, rotate = NA),
    zoom("`fps` must be a single finite number greater than 0 and at most 240, not 0.",
         out, 3, fps = 0),
    zoom("not 500.", out, 3, fps = 500),
    zoom("`layers` must be", out, 3, layers = 3),
    zoom("`preset` must be a single non-empty string or NULL", out, 3, preset = 2),
    zoom("`iterations` must be a single non-negative whole number, not -1.", out, 3,
         iterations = -1),
    zoom("`weights` must be", out, 3, weights = 1),
    zoom(paste0("dream_zoom() has no setting `stepp`; `...` takes the settings of ",
                "deep_dream() for every frame (all but `layers`, `preset`, `save_octaves`, ",
                "`output`, `overwrite` and `callback`)."), out, 3, stepp = 1),
    zoom("dream_zoom() has no setting `save_octaves`", out, 3, save_octaves = tempdir()),
    zoom("`step` is given more than once.", out, 3, step = 1, step = 2),
    zoom("Every setting in `...` must be named, e.g. `iterations = 5`", out, 3, 1.05, 0,
         c(0, 0), 12, FALSE, NULL, "linear", NULL, NULL, NULL, 5),
    zoom("`progress` must be TRUE or FALSE", out, 3, progress = "yes"),
    zoom("`keep_frames` must be TRUE or FALSE", out, 3, keep_frames = NA),
    zoom("`restart` must be TRUE or FALSE", out, 3, restart = 1),
    zoom("`overwrite` must be TRUE or FALSE", out, 3, overwrite = NULL),
    zoom("`callback` must be a function(index, frame) or NULL, not 1.", out, 3, callback = 1),
    zoom(paste0("`output`: zoom.png is a single picture; an animation needs .gif, .webp, ",
                ".mp4 or a folder (one PNG a frame)."), file.path(tempdir(), "zoom.png"), 3),
    zoom("`output`: ZOOM.JPG is a single picture", file.path(tempdir(), "ZOOM.JPG"), 3),
    zoom(paste0("`output`: cannot tell the animation format of zoom.avi; use .gif, .webp, ",
                ".mp4 or a folder (a name without an extension, or ending in /)."),
         file.path(tempdir(), "zoom.avi"), 3),
    zoom("`output`: the folder \"", file.path(tempdir(), "no-dir", "zoom.gif"), 3),
    zoom("`output` must be a single non-empty string, not NULL.", NULL, 3),
    case(dream_zoom, "`image` file not found", file.path(tempdir(), "no-photo.jpg"), out, 3),
    case(dream_zoom, "`image` must hold pixel values", array(-1, c(4, 4, 3)), out, 3),
    video("`blend` must be a single finite number from 0 to 1, not 1.5.", clip, out,
          blend = 1.5),
    video("`flow` must be TRUE, FALSE, \"dis\" or \"farneback\", not the string \"optical\".",
          clip, out, flow = "optical"),
    video("`flow` must be TRUE, FALSE, \"dis\" or \"farneback\", not NA.", clip, out,
          flow = NA),
    video("`fps` must be a single finite number greater than 0 and at most 240, not -1.",
          clip, out, fps = -1),
    video("dream_video() has no setting `frames`", clip, out, frames = 3),
    video("`num_octave` must be a single whole number from 1 to 50, not 0.", clip, out,
          num_octave = 0),
    video("`input` not found: \"", file.path(tempdir(), "no-clip.mp4"), out),
    video(paste0("`input`: photo.png is a single picture; give a video or a folder of ",
                 "frames (dream_zoom() animates one picture)."),
          local({
            picture <- file.path(tempdir(), "photo.png")
            file.create(picture)
            picture
          }), out),
    video("`input` must be a single non-empty string, not a double vector", c(1, 2), out),
    video("`output`: dream.jpeg is a single picture", clip, file.path(tempdir(), "dream.jpeg"))
  )
  for (case in cases) {
    err <- tryCatch(do.call(case$fun, case$args), error = function(e) e)
    expect_s3_class(err, "deepdream_argument_error")
    expect_match(conditionMessage(err), case$regexp, fixed = TRUE)
    expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  }
  expect_false(file.exists(out))
})

test_that("the output's format and the defaults follow the engine", {
  expect_identical(deepdream:::path_suffix(c("a.gif")), "gif")
  expect_identical(deepdream:::path_suffix("dir.v2/frames"), "")
  expect_identical(deepdream:::path_suffix(".hidden"), "")
  expect_identical(deepdream:::path_suffix("a..b"), "b")
  expect_identical(deepdream:::path_suffix("a."), "")
  folder <- deepdream:::check_animation_output(file.path(tempdir(), "frames.d/"))
  expect_match(folder, "frames.d/$")
  expect_identical(deepdream:::check_animation_output(tempdir()), path.expand(tempdir()))
  expect_identical(deepdream:::check_animation_output("~/zoom.MP4"), path.expand("~/zoom.MP4"))
  expect_identical(formals(dream_zoom)$zoom, 1.05)
  expect_identical(formals(dream_zoom)$fps, 12)
  expect_identical(formals(dream_video)$blend, 0.6)
  expect_identical(
    deepdream:::kept_frames_note(paste0("interrupted; 2 of 4 frames are kept in /a/z.gif.frames: ",
                                        "run the same command again to go on"),
                                 "dream_zoom", interrupted = FALSE),
    paste0("Stopped; 2 of 4 frames are kept in /a/z.gif.frames: call dream_zoom() again ",
           "with the same arguments to go on.")
  )
  expect_identical(
    deepdream:::kept_frames_note("interrupted; nothing was written", "dream_video", TRUE),
    "Interrupted; nothing was written."
  )
})

test_that("a tiny zoom is written as a GIF and as a folder of frames", {
  skip_if_no_video_extra()
  gif <- tempfile(fileext = ".gif")
  expect_invisible(made <- tiny_zoom(gif, progress = FALSE))
  expect_identical(made, gif)
  expect_true(file.exists(gif))
  expect_false(dir.exists(paste0(gif, ".frames")))  # the work folder is removed
  pil <- reticulate::import("PIL.Image")
  expect_identical(as.integer(pil$open(gif)$n_frames), 3L)

  folder <- tempfile("zoom")
  made <- tiny_zoom(folder, progress = FALSE)
  expect_identical(made, folder)
  files <- list.files(folder)
  expect_identical(files, sprintf("frame_%05d.png", 0:2))
  require_package("png")
  frames <- lapply(file.path(folder, files), function(file) png::readPNG(file) * 255)
  expect_identical(dim(frames[[1]]), c(96L, 96L, 3L))
  expect_gt(mean(abs(frames[[1]] - zoom_picture())), 0.5)  # dreamed
  expect_gt(mean(abs(frames[[3]] - frames[[2]])), 0.5)  # moving
})

test_that("a tiny video is dreamed from a folder of frames", {
  skip_if_no_video_extra()
  clip <- pan_folder(4L)
  folder <- tempfile("video")
  seen <- list()
  made <- do.call(dream_video, c(list(clip, folder), tiny, list(
    progress = FALSE, callback = function(index, frame) {
      seen[[length(seen) + 1L]] <<- list(index = index, frame = frame)
      FALSE
    }
  )))
  expect_identical(made, folder)
  expect_identical(list.files(folder), sprintf("frame_%05d.png", 0:3))
  expect_identical(vapply(seen, `[[`, integer(1), "index"), 1:4)
  frame <- seen[[4]]$frame
  expect_s3_class(frame, "deep_dream")
  expect_identical(dim(frame), c(80L, 96L, 3L))
  require_package("png")
  expect_equal(png::readPNG(file.path(folder, "frame_00003.png")) * 255, unclass(frame),
               ignore_attr = TRUE)

  mp4 <- tempfile(fileext = ".mp4")
  expect_identical(do.call(dream_video, c(list(clip, mp4, blend = 0, flow = FALSE, fps = 5),
                                          tiny, list(progress = FALSE))), mp4)
  expect_gt(file.size(mp4), 0)
})

test_that("the progress bar counts the frames", {
  skip_if_no_video_extra()
  output <- capture.output(tiny_zoom(tempfile("zoom"), progress = TRUE))
  text <- paste(output, collapse = "\n")
  expect_match(text, "100%", fixed = TRUE)
  output <- capture.output(
    do.call(dream_video, c(list(pan_folder(3L), tempfile("video")), tiny,
                           list(progress = TRUE)))
  )
  expect_match(paste(output, collapse = "\n"), "100%", fixed = TRUE)
})

test_that("a zoom stopped by its callback resumes with the missing frames only", {
  skip_if_no_video_extra()
  whole <- tempfile("whole")
  tiny_zoom(whole, frames = 4L, progress = FALSE)

  folder <- tempfile("zoom")
  work <- paste0(folder, ".frames")
  run <- with_messages(tiny_zoom(folder, frames = 4L, progress = TRUE,
                                 callback = function(index, frame) index == 2L))
  expect_null(run$value)
  expect_identical(run$messages, sprintf(paste0(
    "Stopped; 2 of 4 frames are kept in %s: call dream_zoom() again with the same ",
    "arguments to go on.\n"), work))
  expect_false(any(grepl("100%", run$output, fixed = TRUE)))
  expect_false(dir.exists(folder))
  expect_identical(list.files(work), c(sprintf("frame_%05d.png", 0:1), "manifest.json"))

  dreamed <- integer()
  made <- tiny_zoom(folder, frames = 4L, progress = FALSE, callback = function(index, frame) {
    dreamed <<- c(dreamed, index)
    FALSE
  })
  expect_identical(made, folder)
  expect_identical(dreamed, 3:4)
  expect_false(dir.exists(work))
  expect_identical(frame_hashes(folder), frame_hashes(whole))
})

test_that("Esc stops an animation after the frame, keeps the frames and is re-signalled", {
  skip_if_no_video_extra()
  clip <- pan_folder(3L)
  whole <- do.call(dream_video, c(list(clip, tempfile("whole")), tiny,
                                  list(progress = FALSE)))
  folder <- tempfile("video")
  press_escape <- function(index, frame) {
    # what R signals when the user interrupts while the R callback runs
    signalCondition(structure(class = c("interrupt", "condition"),
                              list(message = "", call = NULL)))
  }
  run <- with_messages(tryCatch(
    do.call(dream_video, c(list(clip, folder), tiny,
                           list(progress = TRUE, callback = press_escape))),
    interrupt = function(e) "interrupted"
  ))
  expect_identical(run$value, "interrupted")
  expect_match(run$messages, "^Interrupted; 1 of 3 frames are kept in .*call dream_video\\(\\)")
  expect_identical(list.files(paste0(folder, ".frames")), c("frame_00000.png", "manifest.json"))

  # other settings refuse the kept frames; restart = TRUE starts over, with a message
  err <- tryCatch(do.call(dream_video, c(list(clip, folder, blend = 0.3), tiny,
                                         list(progress = FALSE))),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_value_error")
  expect_match(conditionMessage(err), paste0(
    "holds frames dreamed with another blend; rerun with the same settings to go on, or ",
    "turn restart on to start over"
  ), fixed = TRUE)

  made <- do.call(dream_video, c(list(clip, folder), tiny, list(progress = FALSE)))
  expect_identical(frame_hashes(made), frame_hashes(whole))

  run <- with_messages(do.call(dream_video, c(list(clip, tempfile("again")), tiny,
                                              list(progress = FALSE))))
  expect_length(run$messages, 0L)
})

test_that("a failing callback stops the animation with its own error", {
  skip_if_no_video_extra()
  folder <- tempfile("zoom")
  run <- with_messages(err <- tryCatch(
    tiny_zoom(folder, progress = FALSE,
              callback = function(index, frame) stop("callback failed on purpose")),
    error = function(e) e
  ))
  expect_match(conditionMessage(err), "callback failed on purpose", fixed = TRUE)
  expect_match(run$messages, "^Stopped; 1 of 3 frames are kept")
  expect_true(file.exists(file.path(paste0(folder, ".frames"), "frame_00000.png")))
  # restart = TRUE with other settings discards them, with a note
  run <- with_messages(tiny_zoom(folder, progress = FALSE, restart = TRUE, seed = 4L))
  expect_match(run$messages, "starting over: removed 1 frames of another run", fixed = TRUE)
  expect_identical(list.files(folder), sprintf("frame_%05d.png", 0:2))
})

test_that("engine errors about an animation are one-line R errors", {
  skip_if_no_video_extra()
  err <- tryCatch(tiny_zoom(tempfile("zoom"), layers = list(mixed27 = 1), progress = FALSE),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_value_error")
  expect_match(conditionMessage(err), "unknown layer 'mixed27'", fixed = TRUE)
  expect_false(grepl("\n", conditionMessage(err), fixed = TRUE))
  clip <- pan_folder(2L)
  writeLines("not a picture", file.path(clip, "pan_1.png"))
  err <- tryCatch(do.call(dream_video, c(list(clip, tempfile("video")), tiny,
                                         list(progress = FALSE))),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_value_error")
  expect_match(conditionMessage(err), "pan_1.png is not a picture", fixed = TRUE)
})

# The frames of a folder written by an animation, as arrays 0..255.
read_frames <- function(folder) {
  require_package("png")
  files <- list.files(folder, pattern = "^frame_[0-9]+[.]png$", full.names = TRUE)
  lapply(sort(files), function(file) png::readPNG(file) * 255)
}

channel_means <- function(frame) apply(frame, 3L, mean)

test_that("translate moves the content x right and y down, pixel for pixel", {
  skip_if_no_video_extra()
  # no gradient step: each frame is the previous one moved, exactly
  folder <- tiny_zoom(tempfile("pan"), zoom = 1, translate = c(4, -2), iterations = 0L,
                      progress = FALSE)
  frames <- read_frames(folder)
  expect_identical(frames[[1]], zoom_picture())
  # moved 4 pixels right and 2 up
  expect_identical(frames[[2]][1:90, 5:96, ], frames[[1]][3:92, 1:92, ])
  expect_gt(mean(abs(frames[[2]][1:90, 1:92, ] - frames[[1]][3:92, 5:96, ])), 5)
  # keyframes: frame k is frame k - 1 moved by the value at frame k, here 2 then 4 pixels
  folder <- tiny_zoom(tempfile("pan"), frames = 3L, zoom = 1, iterations = 0L,
                      translate = list("0" = c(0, 0), "2" = c(4, 0)), progress = FALSE)
  frames <- read_frames(folder)
  expect_identical(frames[[2]][, 3:96, ], frames[[1]][, 1:94, ])
  expect_identical(frames[[3]][, 5:96, ], frames[[2]][, 1:92, ])
})

test_that("R and Python make the same keyframed, colour-locked zoom", {
  skip_if_no_video_extra()
  photo <- synthetic_png(96L, 96L)
  r_folder <- tempfile("r-zoom")
  dream_zoom(photo, r_folder, frames = 4L, zoom = c("0" = 1, "3" = 1.3),
             rotate = c(0, 1, 2, 3), translate = list("0" = c(0, 0), "2" = c(3, -2)),
             iterations = data.frame(frame = c(0, 3), value = c(1, 3)),
             color_lock = TRUE, interpolation = "smooth", layers = list(mixed3 = 1),
             weights = NULL, num_octave = 1L, step = 0.1, border = 0L, seed = 3L,
             progress = FALSE)
  python_folder <- tempfile("python-zoom")
  reticulate::py_run_string(sprintf(paste(
    "import pydream",
    "pydream.dream_zoom(%s, %s, frames=4, zoom={0: 1.0, 3: 1.3}, rotate=[0.0, 1.0, 2.0, 3.0],",
    "    translate={0: (0.0, 0.0), 2: (3.0, -2.0)}, iterations={0: 1, 3: 3},",
    "    color_lock='mean_std', interpolation='smooth', layers={'mixed3': 1.0},",
    "    weights=None, num_octave=1, step=0.1, border=0, seed=3)",
    sep = "\n"
  ), deparse(photo), deparse(python_folder)))
  r_frames <- read_frames(r_folder)
  python_frames <- read_frames(python_folder)
  expect_length(r_frames, 4L)
  expect_length(python_frames, 4L)
  for (k in seq_along(r_frames)) {
    expect_lte(max(abs(r_frames[[k]] - python_frames[[k]])), 1)
  }
  # the keyframes took effect: frames move, the colours stay near frame 0's
  expect_gt(mean(abs(r_frames[[4]] - r_frames[[3]])), 2)
  expect_lt(max(abs(channel_means(r_frames[[4]]) - channel_means(r_frames[[1]]))), 8)
})

test_that("a colour lock holds the colours a zoom lets drift", {
  skip_if_no_video_extra()
  drift <- function(color_lock) {
    frames <- read_frames(tiny_zoom(tempfile("lock"), frames = 5L, zoom = 1.2,
                                    color_lock = color_lock, progress = FALSE))
    max(abs(channel_means(frames[[5]]) - channel_means(frames[[1]])))
  }
  free <- drift(FALSE)
  expect_gt(free, 30)  # red falls by about 70 levels in 5 frames
  expect_lt(drift(TRUE), free / 4)
  expect_lt(drift("histogram"), 1)
})

test_that("a pingpong loop plays the frames forward and back", {
  skip_if_no_video_extra()
  folder <- tiny_zoom(tempfile("pingpong"), frames = 3L, loop = "pingpong", progress = FALSE)
  files <- list.files(folder)
  expect_identical(files, sprintf("frame_%05d.png", 0:3))
  hashes <- frame_hashes(folder)
  expect_identical(hashes[[4]], hashes[[2]])  # 0, 1, 2, then 1
  expect_false(identical(hashes[[3]], hashes[[2]]))
  gif <- tiny_zoom(tempfile(fileext = ".gif"), frames = 3L, loop = "pingpong", progress = FALSE)
  expect_identical(as.integer(reticulate::import("PIL.Image")$open(gif)$n_frames), 4L)
})

test_that("a schedule data frame makes the zoom its keyframes make", {
  skip_if_no_video_extra()
  as_arguments <- tiny_zoom(tempfile("keys"), frames = 4L, zoom = c("0" = 1, "3" = 1.3),
                            rotate = c("3" = 5), step = c("0" = 0.1, "2" = 0.2),
                            progress = FALSE)
  keys <- data.frame(frame = c(0, 2, 3), zoom = c(1, NA, 1.3), rotate = c(NA, NA, 5),
                     step = c(0.1, 0.2, NA))
  tiny_schedule <- tiny[setdiff(names(tiny), "step")]
  scheduled <- do.call(dream_zoom, c(list(zoom_picture(), tempfile("schedule"), frames = 4L,
                                          schedule = keys, progress = FALSE), tiny_schedule))
  expect_identical(frame_hashes(scheduled), frame_hashes(as_arguments))
  expect_false(identical(frame_hashes(scheduled), frame_hashes(tiny_zoom(
    tempfile("constant"), frames = 4L, progress = FALSE
  ))))
  # the engine's own checks arrive as R conditions
  json <- tempfile(fileext = ".json")
  writeLines("[1, 2]", json)
  err <- tryCatch(do.call(dream_zoom, c(list(zoom_picture(), tempfile("bad"), frames = 4L,
                                             schedule = json, progress = FALSE), tiny)),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_setting_error")
  expect_match(conditionMessage(err), "schedule must be an object of frame -> settings",
               fixed = TRUE)
})

test_that("a video's keyframes are checked against its frames", {
  skip_if_no_video_extra()
  clip <- pan_folder(3L)
  err <- tryCatch(do.call(dream_video, c(list(clip, tempfile("video"),
                                              blend = c("0" = 0.6, "3" = 0.2)),
                                         tiny, list(progress = FALSE))),
                  error = function(e) e)
  expect_s3_class(err, "deepdream_argument_error")
  expect_identical(conditionMessage(err), paste0(
    "`blend` keyframe at frame 3 is past the last frame (2) of 3 frames; frames are ",
    "numbered from 0."
  ))
  err <- tryCatch(do.call(dream_video, c(list(clip, tempfile("video"), blend = c(0.6, 0.2)),
                                         tiny, list(progress = FALSE))),
                  error = function(e) e)
  expect_match(conditionMessage(err), "^`blend` has 2 values but the video has 3 frames")
  folder <- do.call(dream_video, c(list(clip, tempfile("video"), blend = c("0" = 0.6, "2" = 0),
                                        color_lock = TRUE, loop = "pingpong"),
                                   tiny, list(progress = FALSE)))
  expect_identical(list.files(folder), sprintf("frame_%05d.png", 0:3))
})
