#' Zoom into a dream, frame after frame
#'
#' Makes an endless-zoom animation: the first frame is the dream of `image`; each next
#' frame is the previous one zoomed into its centre by `zoom`, turned `rotate` degrees, and
#' dreamed again, so that new patterns keep growing out of the old ones. The arguments and
#' their defaults are those of the Python function `pydream.dream_zoom()`. Animations need
#' the engine's "video" extra (OpenCV, imageio and imageio-ffmpeg):
#' `pip install 'pydream-keras[video]'` in the Python that deepdream uses.
#'
#' @section Output formats:
#' `output` names a `.gif`, `.webp` or `.mp4` file, or a folder of PNG frames
#' (`frame_00000.png`, `frame_00001.png`, ...): an existing folder, a name without an
#' extension, or a name ending in `/`. A single-picture format (`.png`, `.jpg`, ...) is
#' refused. GIF stores frame times in hundredths of a second, so 12 frames per second play
#' at 12.5. Every frame has the size of the picture.
#'
#' @section Resuming and the work folder:
#' Each frame is written, as soon as it is dreamed, into a work folder beside the output,
#' `<output>.frames`, with a `manifest.json` naming the input and the settings. If the
#' call is interrupted (Esc, Ctrl+C, a crash, or `callback` returning `TRUE`), calling it
#' again with the same arguments dreams only the missing frames, and the animation is the
#' same, pixel for pixel, as one made without a break: frame k is seeded from `seed` and k
#' (without a `seed`, one is drawn and kept in the manifest). Frames left by a call with
#' other settings or another input are refused with an error that names what differs;
#' `restart = TRUE` discards them. The animation is written once every frame is there, and
#' the work folder is then removed, unless `keep_frames = TRUE`: a later call with more
#' `frames` then dreams only the new ones.
#'
#' @section Progress and interruption:
#' `progress` defaults to `interactive()` (the Python default is `FALSE`): a console
#' progress bar counting the frames. Press Esc (or Ctrl+C) to stop: the call stops after
#' the frame being dreamed, a message says how many frames are kept and where, and the
#' call is interrupted as usual; run it again to go on.
#'
#' @section Keyframes:
#' `zoom`, `rotate`, `translate`, `layers` and the dream settings `step`, `iterations`,
#' `num_octave`, `octave_scale`, `max_loss`, `jitter`, `continuity`, `dream_l2`,
#' `smoothing` and `lbfgs_noise` may change from frame to frame (with [dream_video()]:
#' `blend` and the dream settings). Frames are numbered from 0, as the files are
#' (`frame_00000.png` is frame 0), and the last frame is `frames - 1`. Each takes
#' * one value, for every frame;
#' * an unnamed vector with one value a frame (its length is the number of frames), such as
#'   `seq(1.01, 1.1, length.out = 48)`;
#' * keyframes: a named vector or list whose names are frame numbers, increasing, such as
#'   `c("0" = 1.02, "48" = 1.1)`, or a data frame with columns `frame` and `value`.
#'
#' Before the first keyframe its value holds, after the last keyframe the last value.
#' Between keyframes numbers move linearly, or smoothly with `interpolation = "smooth"`;
#' the whole-number settings (`iterations`, `num_octave`, `jitter`) are rounded; layers
#' switch at each keyframe. `schedule` gives keyframes of several settings in one table.
#' Frames out of order, past the last frame, or a vector of another length than `frames`
#' are errors before anything is dreamed. The work folder's manifest records the
#' keyframes: a call with other keyframes refuses the frames of the first, as with any
#' other change of settings.
#'
#' @param image The picture: a file path, a numeric array of pixels with values from 0 to
#'   255 (height x width grey, height x width x 3 RGB or x 4 RGBA; a `"deep_dream"` result
#'   works), or a raster.
#' @param output Where to write the animation: a `.gif`, `.webp` or `.mp4` file, or a
#'   folder of PNG frames (see "Output formats"). Its folder must exist.
#' @param frames Number of frames, a whole number from 1 to 1000000.
#' @param zoom Magnification per frame, a number from 1 to 4 (1.05 zooms in 5% a frame; 1
#'   does not zoom), or keyframes (see "Keyframes").
#' @param rotate Degrees turned per frame about the centre, anticlockwise (negative:
#'   clockwise), or keyframes (see "Keyframes").
#' @param translate Pixels the picture moves per frame, `c(x, y)`: x to the right, y down
#'   (`c(4, 0)` pans so that the content moves 4 pixels right a frame); `c(x = 4, y = 0)`
#'   works too. Keyframes are a list of pairs named by frame,
#'   `list("0" = c(0, 0), "30" = c(4, 0))`, a data frame with columns `frame`, `x` and `y`,
#'   or a matrix of `frames` rows and 2 columns (one pair a frame).
#' @param fps Frames per second of the animation, a number above 0 and at most 240.
#' @param color_lock Hold the colours steady: `FALSE` (or `NULL`, the default) lets them
#'   drift as the dream builds up; `TRUE` or `"mean_std"` sets each frame's mean and
#'   standard deviation of red, green and blue to those of the reference; `"histogram"`
#'   matches each channel's histogram to the reference's. The reference is frame 0's dream
#'   for [dream_zoom()], each frame's own source frame for [dream_video()].
#' @param loop `NULL` (the default) plays the frames once; `"pingpong"` writes them forward
#'   then back (frames 0 to n - 1, then n - 2 down to 1: 2n - 2 frames, each dreamed once);
#'   `"seamless"` ([dream_zoom()] only) dreams a quarter more frames (at least 1) and
#'   cross-fades them into the first ones, so that the animation closes on itself; it
#'   still has `frames` frames.
#' @param interpolation How numbers move between keyframes: `"linear"` (the default) or
#'   `"smooth"` (easing in and out of each keyframe, smoothstep `3t^2 - 2t^3`, which never
#'   leaves the range of the two keyframes around it).
#' @param schedule Keyframes of several settings at once: a data frame with a `frame`
#'   column (frames from 0) and one column a setting, `NA` where that setting has no
#'   keyframe (a list column holds pairs for `translate` or layer lists for `layers`); a
#'   list named by frames of lists of setting = value,
#'   `list("0" = list(zoom = 1.02), "48" = list(zoom = 1.1, step = 0.02))`; or the path of
#'   a JSON file holding such an object (`{"0": {"zoom": 1.02}, ...}`). A setting it names
#'   may not also be given as an argument. `NULL` (the default): none.
#' @param layers Layer contributions, as in [deep_dream()]: a named list such as
#'   `list(mixed3 = 1, mixed5 = 2)`, or one such list per octave; `NULL` (the default)
#'   leaves them to `preset`, or to the engine's default layers. Keyframes of layers are
#'   such lists named by frame, `list("0" = list(mixed3 = 1), "30" = list(mixed5 = 1.5))`:
#'   the layers switch at each keyframe and hold until the next.
#' @param preset Name of a preset for the settings not given (see [dream_presets()]).
#' @param ... Settings of [deep_dream()] for every frame, by name, checked as there:
#'   `weights`, `step`, `num_octave`, `octave_scale`, `iterations`, `seed`, `max_loss`,
#'   `guide`, `mask`, `normalize`, `original_colors`, ... (every setting but `layers`,
#'   `preset`, `save_octaves`, `output`, `overwrite` and `callback`). Each frame is a whole
#'   dream, so a few iterations a frame are usually enough. `step`, `iterations`,
#'   `num_octave`, `octave_scale`, `max_loss`, `jitter`, `continuity`, `dream_l2`,
#'   `smoothing` and `lbfgs_noise` may also be keyframes (see "Keyframes").
#' @param progress Show a console progress bar counting the frames.
#' @param keep_frames Keep the work folder `<output>.frames` after the animation is written.
#' @param restart Discard frames that a call with other settings or another input left in
#'   the work folder (otherwise they are an error).
#' @param overwrite Allow `output` to be the input file itself.
#' @param callback `NULL` or a function `callback(index, frame)` called after each frame is
#'   written, with the frame's number counted from 1 (the file `frame_00000.png` is frame
#'   1) and the frame as a `"deep_dream"` array; if it returns `TRUE` the call stops there,
#'   keeping the frames written so far (see "Resuming and the work folder"), and returns
#'   `NULL`.
#' @return The path of the animation (the file, or the folder of frames), invisibly; `NULL`,
#'   invisibly, when `callback` stopped the call before the end.
#' @seealso [dream_video()] to dream a video steadily; [deep_dream()] for the settings;
#'   `vignette("animations", package = "deepdream")`.
#' @examples
#' if (pydream_available() &&
#'     reticulate::py_module_available("cv2") &&
#'     reticulate::py_module_available("imageio_ffmpeg")) {
#'   # weights = NULL (an untrained network) keeps the example quick and offline
#'   small <- deprocess_image(resize_img(preprocess_image(example_image("jellyfish")),
#'                                       c(100L, 150L)))
#'   gif <- dream_zoom(small, file.path(tempdir(), "zoom.gif"), frames = 3L, zoom = 1.1,
#'                     layers = list(mixed3 = 1), weights = NULL, num_octave = 1L,
#'                     iterations = 2L, border = 0L, seed = 1L)
#'   gif
#' }
#' \dontrun{
#' # 48 frames with the R blog's settings, turning half a degree a frame:
#' dream_zoom(example_image("jellyfish"), "zoom.gif", frames = 48L, rotate = 0.5,
#'            preset = "jellyfish", iterations = 5L)
#' # Zoom faster and faster, pan right from frame 24, turn back at the end, colours held
#' # to frame 0's, and mixed5 instead of mixed3 from frame 30:
#' dream_zoom(example_image("jellyfish"), "zoom.mp4", frames = 60L,
#'            zoom = c("0" = 1.01, "59" = 1.08), translate = list("0" = c(0, 0), "24" = c(3, 0)),
#'            rotate = data.frame(frame = c(0, 40, 59), value = c(0, 1, -1)),
#'            layers = list("0" = list(mixed3 = 1), "30" = list(mixed5 = 1.5)),
#'            color_lock = TRUE, interpolation = "smooth", iterations = 3L)
#' # The same keyframes as one table (NA: no keyframe there), played forward and back:
#' keys <- data.frame(frame = c(0, 24, 59), zoom = c(1.01, NA, 1.08), step = c(0.01, 0.02, NA))
#' dream_zoom(example_image("jellyfish"), "zoom.gif", frames = 60L, schedule = keys,
#'            loop = "pingpong")
#' }
#' @export
dream_zoom <- function(image, output, frames, zoom = 1.05, rotate = 0, translate = c(0, 0),
                       fps = 12, color_lock = FALSE, loop = NULL, interpolation = "linear",
                       schedule = NULL, layers = NULL, preset = NULL, ...,
                       progress = interactive(), keep_frames = FALSE, restart = FALSE,
                       overwrite = FALSE, callback = NULL) {
  if (missing(frames)) {
    abort_argument("`frames` is missing: give the number of frames, e.g. `frames = 24`.")
  }
  frames <- check_whole(frames, "frames", min = 1, max = max_animation_frames)
  motion <- list(zoom = zoom, rotate = rotate, translate = translate)
  given <- names(motion)[!c(missing(zoom), missing(rotate), missing(translate))]
  motion <- lapply(self_named(motion), function(name) check_keyframed(motion[[name]], name))
  kwargs <- c(list(frames = frames, fps = check_fps(fps)),
              check_animation_controls(color_lock, loop, interpolation, "zoom"))
  if (identical(kwargs$loop, "seamless") && frames < 2L) {
    abort_argument(paste0(
      "`loop = \"seamless\"` cross-fades the last frames into the first: it needs at ",
      "least 2 `frames`, not 1."
    ))
  }
  checked <- check_animation_settings(list(...), "dream_zoom", layers, preset)
  schedule <- check_schedule(schedule, c(names(motion), keyframed_dream_settings),
                             "dream_zoom")
  check_schedule_conflicts(schedule, c(given, names(list(...)), if (!is.null(layers)) "layers"))
  # the motion a schedule keyframes is left to it, unless given (then refused above)
  motion <- motion[setdiff(names(motion), schedule_settings(schedule))]
  keyframed <- c(motion, checked$settings[checked$keyframed])
  for (name in names(keyframed)) {
    check_frame_count(keyframed[[name]], name, frames)
  }
  check_frame_count(schedule, "schedule", frames)
  options <- check_animation_options(progress, keep_frames, restart, overwrite, callback)
  output <- check_animation_output(output)
  image <- check_image(image)

  kwargs <- c(kwargs, animation_to_python(motion, checked, schedule), options$kwargs)
  run_animation("zoom", list(image_to_python(image), output), kwargs, "dream_zoom",
                total = zoom_frames_dreamed(frames, kwargs$loop), progress = progress,
                callback = callback)
}

#' Dream a video, steady from frame to frame
#'
#' Dreams a video (or a folder of frames) frame by frame, each frame starting from the
#' previous frame's dream moved along the optical flow, so that the patterns follow the
#' motion instead of flickering. The arguments and their defaults are those of the Python
#' function `pydream.dream_video()`; like [dream_zoom()], it needs the engine's "video"
#' extra.
#'
#' Frame 1 is dreamed from the first source frame. Each next frame starts from
#' `blend * warped + (1 - blend) * frame`, `warped` the previous frame's dream moved along
#' the optical flow between the source frames (OpenCV's DIS flow by default). Where the
#' frame shows something new (the forward and backward flows disagree, the flow leaves the
#' frame, or the moved previous frame differs too much) the start is the new frame. Frames
#' after the first run `round((1 - blend) * iterations)` steps per octave: their start
#' already holds `blend` of a dream, so they stay as dreamed as the first frame; a frame
#' more than half new (a scene cut) gets all its iterations. `blend = 0` dreams every frame
#' on its own; `flow = FALSE` blends without moving the previous dream (moving things
#' smear). An MP4 made from a video with sound keeps the sound.
#'
#' Resuming, the work folder, the output formats, the progress bar and interruption work
#' as in [dream_zoom()], and so do keyframes (see "Keyframes" there): `blend` and the dream
#' settings may change from frame to frame, numbered from 0 as the source frames. Their
#' lengths and last frames are checked against the frames of the input, counted before
#' anything is dreamed. `color_lock` holds each frame's colours to its source frame's,
#' and `loop = "pingpong"` plays the frames forward then back.
#'
#' @inheritParams dream_zoom
#' @param input The video: a file that ffmpeg reads (`.mp4`, `.mov`, `.gif`, ...) or a
#'   folder of frames, pictures of one size sorted by name with numbers compared as numbers
#'   (`f2` before `f10`).
#' @param output Where to write the dream: a `.mp4`, `.gif` or `.webp` file, or a folder of
#'   PNG frames (see "Output formats" in [dream_zoom()]). Its folder must exist.
#' @param blend Share of the previous frame's dream in each frame's start, a number from 0
#'   to 1. The default, 0.6, kept a pan of the Shanghai photo about 0.4 times as flickery
#'   as frames dreamed on their own, at the same dream strength; 0 dreams every frame on
#'   its own, in full. Keyframes too, by source frame from 0 (see "Keyframes" in
#'   [dream_zoom()]), such as `c("0" = 0.6, "24" = 0.2)`.
#' @param flow How the previous dream follows the motion: `TRUE` or "dis" (OpenCV's DIS
#'   optical flow), "farneback" (Farneback's flow, which can lose the motion over flat
#'   areas), or `FALSE` to blend without warping.
#' @param fps Frames per second of the output, a number above 0 and at most 240; `NULL`
#'   (the default) keeps the video's rate (a folder of frames: 12).
#' @param callback `NULL` or a function `callback(index, frame)` called after each frame is
#'   written, as in [dream_zoom()]; if it returns `TRUE` the call stops there, keeping the
#'   frames written so far, and returns `NULL`.
#' @return The path of the output (the file, or the folder of frames), invisibly; `NULL`,
#'   invisibly, when `callback` stopped the call before the end.
#' @seealso [dream_zoom()]; `vignette("animations", package = "deepdream")` measures the
#'   flicker with and without the flow.
#' @examples
#' if (pydream_available() &&
#'     reticulate::py_module_available("cv2") &&
#'     reticulate::py_module_available("imageio_ffmpeg")) {
#'   # a clip made here: three crops of a picture, 4 pixels apart (a slow pan)
#'   photo <- deprocess_image(resize_img(preprocess_image(example_image("shanghai")),
#'                                       c(80L, 160L)))
#'   clip <- file.path(tempdir(), "pan")
#'   dir.create(clip, showWarnings = FALSE)
#'   for (i in 0:2) {
#'     save_img(photo[, 4 * i + 1:120, ], file.path(clip, sprintf("pan_%d.png", i)))
#'   }
#'   # weights = NULL (an untrained network) keeps the example quick and offline
#'   frames <- dream_video(clip, file.path(tempdir(), "pan-dream"), layers = list(mixed3 = 1),
#'                         weights = NULL, num_octave = 1L, iterations = 2L, border = 0L)
#'   list.files(frames)
#' }
#' \dontrun{
#' dream_video("clip.mp4", "dream.mp4", step = 0.02, iterations = 10L, progress = TRUE)
#' # Dream harder from frame 48 on, with the colours of the video:
#' dream_video("clip.mp4", "dream.mp4", step = c("0" = 0.01, "48" = 0.03),
#'             color_lock = TRUE)
#' }
#' @export
dream_video <- function(input, output, blend = 0.6, flow = TRUE, fps = NULL,
                        color_lock = FALSE, loop = NULL, interpolation = "linear",
                        schedule = NULL, layers = NULL, preset = NULL, ...,
                        progress = interactive(), keep_frames = FALSE, restart = FALSE,
                        overwrite = FALSE, callback = NULL) {
  motion <- list(blend = check_keyframed(blend, "blend"))
  kwargs <- list(flow = check_flow(flow))
  kwargs["fps"] <- list(if (is.null(fps)) NULL else check_fps(fps))
  kwargs <- c(kwargs, check_animation_controls(color_lock, loop, interpolation, "video"))
  checked <- check_animation_settings(list(...), "dream_video", layers, preset)
  schedule <- check_schedule(schedule, c("blend", keyframed_dream_settings), "dream_video")
  check_schedule_conflicts(schedule, c(if (!missing(blend)) "blend", names(list(...)),
                                       if (!is.null(layers)) "layers"))
  motion <- motion[setdiff(names(motion), schedule_settings(schedule))]
  options <- check_animation_options(progress, keep_frames, restart, overwrite, callback)
  output <- check_animation_output(output)
  input <- check_video_input(input)

  # The frames of the input, for the progress bar and the checks of one value a frame and
  # keyframes (the engine reports an unreadable input).
  keyframed <- c(Filter(is_several_values, motion), checked$settings[checked$keyframed])
  total <- NULL
  if (progress || length(keyframed) || inherits(schedule, "deepdream_schedule")) {
    total <- reticulate::py_to_r(python_bridge()$video_frame_count(input))
  }
  for (name in names(keyframed)) {
    check_frame_count(keyframed[[name]], name, total, source = "the video")
  }
  check_frame_count(schedule, "schedule", total, source = "the video")

  kwargs <- c(kwargs, animation_to_python(motion, checked, schedule), options$kwargs)
  run_animation("video", list(input, output), kwargs, "dream_video", total = total %||% 1L,
                progress = progress, callback = callback)
}

# color_lock, loop and interpolation, checked: `animation` is "zoom" or "video".
check_animation_controls <- function(color_lock, loop, interpolation, animation) {
  loops <- if (identical(animation, "zoom")) c("pingpong", "seamless") else "pingpong"
  list(
    color_lock = check_color_lock(color_lock),
    loop = check_loop(loop, loops),
    interpolation = check_choice(interpolation, "interpolation", c("linear", "smooth"))
  )
}

# Checked motion, settings and schedule -> the keyword arguments for the engine.
animation_to_python <- function(motion, checked, schedule) {
  settings <- settings_to_python(checked$settings)
  for (name in checked$keyframed) {
    settings[[name]] <- keyframed_to_python(name, settings[[name]])
  }
  for (name in names(motion)) {
    motion[[name]] <- keyframed_to_python(name, motion[[name]])
  }
  c(motion, settings, if (!is.null(schedule)) list(schedule = schedule_to_python(schedule)))
}

# The frames a zoom dreams: a seamless loop dreams a quarter more (at least 1), which it
# cross-fades into the first ones (pydream.motion.dreams.seamless_overlap()).
zoom_frames_dreamed <- function(frames, loop) {
  if (identical(loop, "seamless")) frames + max(1L, frames %/% 4L) else frames
}

# One value a frame or keyframes, rather than one value.
is_several_values <- function(x) inherits(x, c("deepdream_per_frame", "deepdream_keyframes"))

# A list's names as a vector named by themselves (for lapply() to keep them).
self_named <- function(x) {
  keys <- names(x)
  names(keys) <- keys
  keys
}

# The engine's limits (pydream.motion: MAX_FRAMES, MAX_ZOOM, MAX_FPS).
max_animation_frames <- 1000000L
max_zoom <- 4
max_fps <- 240

# Picture formats: a single picture, not an animation (pydream.motion.FRAME_SUFFIXES).
picture_extensions <- c("png", "jpg", "jpeg", "tif", "tiff", "bmp")
animation_extensions <- c("gif", "webp", "mp4")

check_fps <- function(x, name = "fps") {
  good <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) && x > 0 &&
    x <= max_fps
  if (!good) {
    abort_argument(sprintf(
      "`%s` must be a single finite number greater than 0 and at most %s, not %s.",
      name, format(max_fps), describe_value(x)
    ))
  }
  as.double(x)
}

# flow: TRUE, FALSE, "dis" or "farneback".
check_flow <- function(x) {
  if (is.logical(x) && length(x) == 1L && !is.na(x)) {
    return(x)
  }
  if (is.character(x) && length(x) == 1L && !is.na(x) && x %in% c("dis", "farneback")) {
    return(x)
  }
  abort_argument(sprintf(
    "`flow` must be TRUE, FALSE, \"dis\" or \"farneback\", not %s.", describe_value(x)
  ))
}

# The extension of a file name as Python's Path.suffix sees it, without the dot ("" if none).
path_suffix <- function(path) {
  name <- basename(path)
  if (grepl("^.+[.][^.]+$", name)) sub("^.*[.]", "", name) else ""
}

# Where an animation goes: a .gif, .webp or .mp4 file, or a folder -> the expanded path.
# The engine checks the rest (a folder holding other files, the input itself).
check_animation_output <- function(output, name = "output") {
  check_string(output, name)
  path <- path.expand(output)
  folder <- grepl("/$", output) || dir.exists(path)
  if (!folder) {
    suffix <- tolower(path_suffix(path))
    formats <- ".gif, .webp, .mp4 or a folder"
    if (suffix %in% picture_extensions) {
      abort_argument(sprintf(
        "`%s`: %s is a single picture; an animation needs %s (one PNG a frame).",
        name, basename(path), formats
      ))
    }
    if (nzchar(suffix) && !suffix %in% animation_extensions) {
      abort_argument(sprintf(
        paste0("`%s`: cannot tell the animation format of %s; use %s (a name without an ",
               "extension, or ending in /)."),
        name, basename(path), formats
      ))
    }
  }
  parent <- dirname(sub("/+$", "", path))
  if (!dir.exists(parent)) {
    abort_argument(sprintf(
      "`%s`: the folder \"%s\" does not exist; create it first.", name, parent
    ))
  }
  path
}

# A video file or a folder of frames that exists -> its expanded path.
check_video_input <- function(input, name = "input") {
  check_string(input, name)
  path <- path.expand(input)
  if (!file.exists(path)) {
    abort_argument(sprintf(
      "`%s` not found: \"%s\" (the working directory is %s).", name, input, getwd()
    ))
  }
  if (!dir.exists(path) && tolower(path_suffix(path)) %in% picture_extensions) {
    abort_argument(sprintf(
      paste0("`%s`: %s is a single picture; give a video or a folder of frames ",
             "(dream_zoom() animates one picture)."),
      name, basename(path)
    ))
  }
  path
}

# The arguments every animation has besides its settings.
check_animation_options <- function(progress, keep_frames, restart, overwrite, callback) {
  check_flag(progress, "progress")
  if (!is.null(callback) && !is.function(callback)) {
    abort_argument(sprintf(
      "`callback` must be a function(index, frame) or NULL, not %s.", describe_value(callback)
    ))
  }
  list(kwargs = list(
    keep_frames = check_flag(keep_frames, "keep_frames"),
    restart = check_flag(restart, "restart"),
    overwrite = check_flag(overwrite, "overwrite"),
    progress = FALSE # the bar is drawn in R (see new_frame_runner())
  ))
}

# Run an animation through the bridge ("zoom" or "video"), with the R frame runner as its
# callback; returns the path written, or NULL when the callback stopped it.
run_animation <- function(bridge_name, args, kwargs, what, total, progress, callback) {
  runner <- new_frame_runner(total, progress, callback)
  on.exit(runner$close(), add = TRUE)
  r_function <- reticulate::r_to_py(runner$callback, convert = TRUE)
  kwargs$callback <- python_bridge()$r_frame_callback(r_function, !is.null(callback))
  result <- tryCatch(
    call_pydream(bridge_name, args, kwargs),
    deepdream_animation_stopped = function(e) e
  )
  if (inherits(result, "deepdream_animation_stopped")) {
    return(runner$stopped(result$python_message, what))
  }
  runner$finish()
  invisible(result)
}

# The R side of an animation's frame callback: a console progress bar counting frames, the
# user's callback (frames counted from 1) and interruption. The callback is always
# installed, even without a bar, so that Esc is noticed between frames.
new_frame_runner <- function(total, progress, callback) {
  state <- new.env(parent = emptyenv())
  state$bar <- NULL
  state$interrupted <- FALSE
  state$stop_asked <- FALSE
  state$error <- NULL
  total <- max(1L, as.integer(total))
  if (progress) {
    state$bar <- utils::txtProgressBar(min = 0, max = total, style = 3)
  }
  frame_callback <- function(index, frame) {
    guarded_callback(state, function() {
      if (!is.null(state$bar)) {
        utils::setTxtProgressBar(state$bar, min(total, index + 1L))
      }
      state$stop_asked <- !is.null(callback) &&
        isTRUE(callback(index + 1L, as_deep_dream(restore_arrays(frame))))
      state$stop_asked
    })
  }
  close_bar <- function() close_progress_bar(state)
  finish <- function() {
    if (!is.null(state$bar)) {
      utils::setTxtProgressBar(state$bar, total)
    }
    close_bar()
  }
  # The engine stopped before writing the animation; `message` says what it kept. The
  # user's callback asked for it (the call returns NULL), or it failed (its error is
  # raised), or the user interrupted: Esc seen in R, or Ctrl+C reaching Python.
  stopped <- function(message, what) {
    close_bar()
    asked <- state$stop_asked && is.null(state$error) && !state$interrupted
    signal_note(kept_frames_note(message, what, interrupted = !asked && is.null(state$error)))
    if (!is.null(state$error)) {
      stop(state$error)
    }
    if (!asked) {
      signal_interrupt()
    }
    invisible(NULL)
  }
  list(callback = frame_callback, close = close_bar, finish = finish, stopped = stopped)
}

# The engine's "interrupted; 2 of 4 frames are kept in X: run the same command again to go
# on" in R terms.
kept_frames_note <- function(message, what, interrupted) {
  message <- sub("^interrupted", if (interrupted) "Interrupted" else "Stopped", message)
  sub("run the same command again to go on",
      sprintf("call %s() again with the same arguments to go on", what),
      sentence_end(message), fixed = TRUE)
}
