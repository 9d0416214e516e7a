# The dream explorer: its arguments, the page it serves, the settings and code it makes
# from the controls, and its worker process (with Python). tests/test_app_browser.py drives
# the whole app in headless Chromium.

skip_if_no_app_packages <- function() {
  require_package("shiny")
  require_package("callr")
}

test_that("dream_app() checks its arguments with one-line errors", {
  skip_if_no_app_packages()
  expect_error(dream_app(size = 10), "`size` must be a single whole number from 150 to 4096",
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(dream_app(image = "no-such-photo.jpg"), "no-such-photo.jpg", fixed = TRUE,
               class = "deepdream_argument_error")
  expect_error(dream_app(weights = "no-such-file.h5"), "`weights` must be \"imagenet\"",
               fixed = TRUE, class = "deepdream_argument_error")
  expect_error(dream_app(launch = "yes"), "`launch`", fixed = TRUE,
               class = "deepdream_argument_error")
  expect_s3_class(dream_app(weights = NULL), "shiny.appobj")
})

test_that("the RStudio add-in is declared and its function exported", {
  addins <- system.file("rstudio", "addins.dcf", package = "deepdream")
  expect_true(nzchar(addins))
  fields <- read.dcf(addins)
  expect_identical(unname(fields[1, "Name"]), "Dream a picture")
  expect_identical(unname(fields[1, "Binding"]), "dream_addin")
  expect_true("dream_addin" %in% getNamespaceExports("deepdream"))
})

test_that("shiny::runApp(dream_app(), port = P) serves a page with every control", {
  skip_if_no_app_packages()
  require_package("ps")
  port <- httpuv::randomPort()
  app <- callr::r_bg(function(port) {
    shiny::runApp(deepdream::dream_app(weights = NULL), port = port, launch.browser = FALSE)
  }, args = list(port = port), libpath = .libPaths(), supervise = TRUE)
  on.exit(app$kill_tree(), add = TRUE)
  page <- NULL
  deadline <- Sys.time() + 60
  while (is.null(page) && Sys.time() < deadline && app$is_alive()) {
    page <- tryCatch(
      suppressWarnings(readLines(sprintf("http://127.0.0.1:%d/", port), warn = FALSE)),
      error = function(e) NULL
    )
    if (is.null(page)) Sys.sleep(0.3)
  }
  if (is.null(page)) {
    fail(paste("the app did not answer:", paste(app$read_all_error_lines(), collapse = "\n")))
  }
  page <- paste(page, collapse = "\n")
  for (id in c("example", "upload", "size", "preset", "layers", "coefficients", "num_octave",
               "octave_scale", "iterations", "step", "max_loss", "seed", "guide", "mask",
               "normalize", "smoothing", "jitter", "dream", "cancel_dream", "photo_view",
               "dream_view", "octaves", "download", "copy_code", "code", "original_colors",
               "mode", "zoom_frames", "zoom_fps", "keyframes", "keyframe_add",
               "zoom_interpolation", "zoom_loop", "zoom_color_lock", "zoom_view",
               "download_zoom", "copy_zoom_code", "zoom_code")) {
    expect_match(page, sprintf("id=\"%s\"", id), fixed = TRUE, label = id)
  }
  expect_match(page, "<title>deepdream explorer</title>", fixed = TRUE)
})

fake_input <- function(...) {
  defaults <- list(preset = "", step = 0.01, num_octave = 3L, octave_scale = 1.4,
                   iterations = 20L, max_loss = 15, seed = 1L, normalize = "mean_abs",
                   smoothing = 0, jitter = 0L, original_colors = FALSE)
  utils::modifyList(defaults, list(...))
}

test_that("the controls become deep_dream() settings, checked by deep_dream()'s own checks", {
  settings <- deepdream:::app_settings(fake_input(max_loss = NA, seed = NA),
                                       list(mixed3 = 1, "mixed4:97" = 0.5))
  values <- settings$values
  expect_identical(values$layers, list(mixed3 = 1, "mixed4:97" = 0.5))
  expect_true("max_loss" %in% names(values) && is.null(values$max_loss))
  expect_true("seed" %in% names(values) && is.null(values$seed))
  expect_false("preset" %in% names(values))
  expect_false(values$original_colors)
  expect_silent(deepdream:::check_dream_settings(values))
  colours <- deepdream:::app_settings(fake_input(original_colors = TRUE), list(mixed3 = 1))
  expect_true(colours$values$original_colors)
  expect_silent(deepdream:::check_dream_settings(colours$values))
  preset <- deepdream:::app_settings(fake_input(preset = "jellyfish"), list(mixed3 = 1))
  expect_identical(preset$values$preset, "jellyfish")
  # nonsense numbers, and an empty field (NA), give deep_dream()'s messages
  check <- function(...) {
    values <- deepdream:::app_settings(fake_input(...), list(mixed3 = 1))$values
    tryCatch({
      deepdream:::check_dream_settings(values)
      ""
    }, error = function(e) conditionMessage(e))
  }
  expect_identical(check(step = -1), "`step` must be a single finite non-negative number, not -1.")
  expect_identical(check(num_octave = 0), "`num_octave` must be a single whole number from 1 to 50, not 0.")
  expect_identical(check(iterations = 2.5), "`iterations` must be a single non-negative whole number, not 2.5.")
  expect_match(check(step = NA), "`step` must be a single finite non-negative number, not NA", fixed = TRUE)
  expect_match(check(octave_scale = 1, num_octave = 3), "`octave_scale` must be greater than 1",
               fixed = TRUE)
  no_layers <- deepdream:::app_settings(fake_input(), stats::setNames(list(), character()))$values
  expect_error(deepdream:::check_dream_settings(no_layers), "`layers` is empty", fixed = TRUE)
  guided <- deepdream:::app_settings(fake_input(), list(mixed3 = 1),
                                     guide = list(path = "/tmp/0.png", label = "clouds.jpg"))
  expect_identical(guided$values$guide, "/tmp/0.png")
  expect_identical(guided$labels$guide, "clouds.jpg")
})

test_that("the code shown makes the same dream: the photo as shrunk, every setting", {
  photo <- list(code = "example_image(\"jellyfish\")", dims = c(268L, 400L),
                original = c(1714L, 2560L), label = "jellyfish")
  settings <- deepdream:::app_settings(
    fake_input(preset = "jellyfish", max_loss = NA, seed = 3L, step = 0.02, num_octave = 2L,
               iterations = 10L, normalize = "laplacian", smoothing = 1.5,
               original_colors = TRUE),
    list(mixed3 = 1, "mixed4:97" = 0.5),
    mask = list(path = "/tmp/1.png", label = "half mask.png")
  )
  code <- deepdream:::app_code(photo, settings, weights = "/data/inception.weights.h5")
  expect_identical(strsplit(code, "\n", fixed = TRUE)[[1]], c(
    "library(deepdream)",
    "photo <- example_image(\"jellyfish\")",
    "photo <- deprocess_image(resize_img(preprocess_image(photo), c(268L, 400L)))",
    "dream <- deep_dream(",
    "  photo,",
    "  layers = list(mixed3 = 1, \"mixed4:97\" = 0.5),",
    "  preset = \"jellyfish\",",
    "  step = 0.02,",
    "  num_octave = 2L,",
    "  octave_scale = 1.4,",
    "  iterations = 10L,",
    "  max_loss = NULL,",
    "  seed = 3L,",
    "  normalize = \"laplacian\",",
    "  smoothing = 1.5,",
    "  original_colors = TRUE,",
    "  mask = \"half mask.png\",",
    "  weights = \"/data/inception.weights.h5\"",
    ")",
    "plot(dream)"
  ))
  expect_silent(parse(text = code))
  # a photo dreamed at its own size is not resized; default settings are not repeated
  photo$dims <- photo$original
  plain <- deepdream:::app_code(photo, deepdream:::app_settings(fake_input(), list(mixed5 = 2)),
                                weights = "imagenet")
  expect_false(grepl("resize_img", plain, fixed = TRUE))
  expect_false(grepl("weights =", plain, fixed = TRUE))
  expect_false(grepl("normalize", plain, fixed = TRUE))
  expect_false(grepl("original_colors", plain, fixed = TRUE))
  expect_match(plain, "layers = list(mixed5 = 2)", fixed = TRUE)
})

# --- zoom mode: the keyframe table -> dream_zoom()'s arguments and the code shown ----------

keyframe_rows <- function(frame, zoom = 1.05, rotate = 0, x = 0, y = 0) {
  data.frame(id = seq_along(frame), frame = frame, zoom = zoom, rotate = rotate,
             translate_x = x, translate_y = y)
}

zoom_message <- function(rows, frames = 3) {
  tryCatch({
    deepdream:::app_zoom_keyframes(rows, frames)
    ""
  }, error = function(e) {
    expect_s3_class(e, "deepdream_argument_error")
    conditionMessage(e)
  })
}

test_that("keyframes become constants where they agree, else vectors and lists by frame", {
  # one row: dream_zoom()'s constants
  one <- deepdream:::app_zoom_keyframes(keyframe_rows(0), 12)
  expect_identical(one, list(zoom = 1.05, rotate = 0, translate = c(0, 0)))
  # rows in any order, sorted by frame; a column whose values agree stays a constant
  rows <- keyframe_rows(c(2, 0), zoom = c(1.2, 1.05), rotate = c(0.5, 0.5), x = c(4, 0),
                        y = c(-1, 0))
  keyframes <- deepdream:::app_zoom_keyframes(rows, 3)
  expect_identical(keyframes$zoom, c("0" = 1.05, "2" = 1.2))
  expect_identical(keyframes$rotate, 0.5)
  expect_identical(keyframes$translate, list("0" = c(0, 0), "2" = c(4, -1)))
  # the same move at every keyframe is one pair; frames from 0 to frames - 1
  moved <- deepdream:::app_zoom_keyframes(keyframe_rows(c(0, 5, 9), rotate = c(0, 2, 0),
                                                        x = 3, y = 2), 10)
  expect_identical(moved$translate, c(3, 2))
  expect_identical(moved$rotate, c("0" = 0, "5" = 2, "9" = 0))
  expect_identical(moved$zoom, 1.05)
  # every control: frames as an integer, no loop is NULL, the interpolation checked
  arguments <- deepdream:::app_zoom_arguments(
    list(frames = 3, fps = 8, interpolation = "smooth", color_lock = TRUE, loop = "pingpong"),
    rows
  )
  expect_identical(names(arguments), c("frames", "zoom", "rotate", "translate", "fps",
                                       "interpolation", "color_lock", "loop"))
  expect_identical(arguments$frames, 3L)
  expect_identical(arguments$fps, 8)
  expect_identical(arguments$loop, "pingpong")
  plain <- deepdream:::app_zoom_arguments(
    list(frames = 3, fps = 12, interpolation = "linear", color_lock = FALSE, loop = "none"),
    rows
  )
  expect_true("loop" %in% names(plain) && is.null(plain$loop))
  expect_false(plain$color_lock)
  seamless <- deepdream:::app_zoom_arguments(
    list(frames = 4, fps = 12, interpolation = "linear", color_lock = FALSE, loop = "seamless"),
    rows
  )
  expect_identical(seamless$loop, "seamless")
  expect_error(deepdream:::app_zoom_arguments(
    list(frames = 3, fps = 0, interpolation = "linear", loop = "none"), rows
  ), "`fps` must be a single finite number greater than 0", fixed = TRUE)
})

test_that("a bad keyframe table gets one line that says which row and what is wrong", {
  expect_identical(zoom_message(keyframe_rows(c(0, 3))),
                   "The keyframe at frame 3 is past the last frame (2) of 3 frames.")
  expect_identical(zoom_message(keyframe_rows(c(0, 2, 2), zoom = c(1, 1.1, 1.2))),
                   "Two keyframes are at frame 2: remove one or give it another frame.")
  expect_identical(zoom_message(keyframe_rows(c(0, 1.5))),
                   "Keyframe row 2: the frame must be a whole number from 0 (the first frame), not 1.5.")
  expect_identical(zoom_message(keyframe_rows(-1)),
                   "Keyframe row 1: the frame must be a whole number from 0 (the first frame), not -1.")
  expect_identical(zoom_message(keyframe_rows(c(0, 1), zoom = c(1.05, NA))),
                   "Keyframe row 2: \"Zoom\" is empty; give it a number.")
  expect_identical(zoom_message(keyframe_rows(0, y = NA)),
                   "Keyframe row 1: \"Move y (px)\" is empty; give it a number.")
  expect_identical(zoom_message(keyframe_rows(0), frames = 0),
                   "`frames` must be a single whole number from 1 to 1000, not 0.")
  expect_identical(zoom_message(keyframe_rows(0), frames = NA),
                   "`frames` must be a single whole number from 1 to 1000, not NA.")
  expect_identical(zoom_message(keyframe_rows(0)[0, ]), "The zoom needs one keyframe at least.")
  # the values, with dream_zoom()'s own checks, before the worker is asked
  options <- list(frames = 3, fps = 12, interpolation = "linear", loop = "none")
  expect_error(
    deepdream:::app_zoom_arguments(options, keyframe_rows(c(0, 2), zoom = c(1.05, 0.5))),
    "`zoom[[\"2\"]]` must be a single finite number from 1 to 4, not 0.5.", fixed = TRUE,
    class = "deepdream_argument_error"
  )
  expect_error(deepdream:::app_zoom_arguments(options, keyframe_rows(0, zoom = 5)),
               "`zoom` must be a single finite number from 1 to 4, not 5.", fixed = TRUE)
})

test_that("the keyframe table: its fields, what they hold, and a new keyframe", {
  skip_if_no_app_packages()
  rows <- keyframe_rows(c(0, 4), zoom = c(1.05, 1.1))
  html <- as.character(deepdream:::app_keyframe_table(rows))
  for (id in c("keyframe_1_frame", "keyframe_1_zoom", "keyframe_1_rotate",
               "keyframe_1_translate_x", "keyframe_1_translate_y", "keyframe_2_frame",
               "keyframe_2_remove")) {
    expect_match(html, sprintf("id=\"%s\"", id), fixed = TRUE, label = id)
  }
  expect_match(html, "Shiny.setInputValue(&#39;keyframe_remove&#39;, 2,", fixed = TRUE)
  # the fields' values as sent: an emptied field is NA, a field not sent keeps the row's
  input <- list(keyframe_1_frame = 0L, keyframe_1_zoom = 1.2, keyframe_1_rotate = NULL,
                keyframe_2_frame = 3L)
  read <- deepdream:::app_read_keyframes(input, rows)
  expect_identical(read$zoom, c(1.2, 1.1))
  expect_identical(read$frame, c(0, 3))
  expect_identical(read$rotate, c(NA_real_, 0))
  # a new keyframe goes to the last frame, with the last keyframe's values; then one after
  added <- deepdream:::app_add_keyframe(read, 12, 7L)
  expect_identical(added$id, c(1L, 2L, 7L))
  expect_identical(added$frame, c(0, 3, 11))
  expect_identical(added$zoom, c(1.2, 1.1, 1.1))
  added$rotate[[1]] <- 0
  again <- deepdream:::app_add_keyframe(added, 12, 8L)
  expect_identical(again$frame[[4]], 12)
  expect_identical(zoom_message(again, 12),
                   "The keyframe at frame 12 is past the last frame (11) of 12 frames.")
})

test_that("the code shown makes the same zoom: keyframes by frame, every control", {
  photo <- list(code = "example_image(\"jellyfish\")", dims = c(100L, 150L),
                original = c(1714L, 2560L), label = "jellyfish")
  settings <- deepdream:::app_settings(
    fake_input(num_octave = 1L, iterations = 2L, original_colors = TRUE), list(mixed3 = 1)
  )
  rows <- keyframe_rows(c(0, 2), zoom = c(1.05, 1.2), rotate = c(0, 2), x = c(0, 4))
  zoom <- deepdream:::app_zoom_arguments(
    list(frames = 3, fps = 8, interpolation = "smooth", color_lock = TRUE, loop = "pingpong"),
    rows
  )
  code <- deepdream:::app_zoom_code(photo, settings, zoom, weights = "/data/w.h5")
  expect_identical(strsplit(code, "\n", fixed = TRUE)[[1]], c(
    "library(deepdream)",
    "photo <- example_image(\"jellyfish\")",
    "photo <- deprocess_image(resize_img(preprocess_image(photo), c(100L, 150L)))",
    "dream_zoom(",
    "  photo,",
    "  \"zoom.gif\",",
    "  frames = 3L,",
    "  zoom = c(\"0\" = 1.05, \"2\" = 1.2),",
    "  rotate = c(\"0\" = 0, \"2\" = 2),",
    "  translate = list(\"0\" = c(0, 0), \"2\" = c(4, 0)),",
    "  fps = 8,",
    "  interpolation = \"smooth\",",
    "  color_lock = TRUE,",
    "  loop = \"pingpong\",",
    "  layers = list(mixed3 = 1),",
    "  step = 0.01,",
    "  num_octave = 1L,",
    "  octave_scale = 1.4,",
    "  iterations = 2L,",
    "  max_loss = 15,",
    "  seed = 1L,",
    "  original_colors = TRUE,",
    "  weights = \"/data/w.h5\"",
    ")"
  ))
  # the code evaluates to the same arguments
  call <- parse(text = code)[[4]]
  expect_identical(eval(call$zoom), zoom$zoom)
  expect_identical(eval(call$rotate), zoom$rotate)
  expect_identical(eval(call$translate), zoom$translate)
  # defaults are not repeated: one keyframe, linear, no lock, no loop, 12 frames a second
  plain <- deepdream:::app_zoom_arguments(
    list(frames = 5, fps = 12, interpolation = "linear", color_lock = FALSE, loop = "none"),
    keyframe_rows(0)
  )
  lines <- strsplit(deepdream:::app_zoom_code(photo, settings, plain, "imagenet"), "\n")[[1]]
  expect_true(all(c("  frames = 5L,", "  zoom = 1.05,") %in% lines))
  for (name in c("rotate", "translate", "fps", "interpolation", "color_lock", "loop",
                 "weights")) {
    expect_false(any(startsWith(lines, paste0("  ", name, " ="))), label = name)
  }
  moved <- deepdream:::app_zoom_arguments(
    list(frames = 5, fps = 12, interpolation = "linear", loop = "none"),
    keyframe_rows(0, x = 2, y = -1)
  )
  expect_match(deepdream:::app_zoom_code(photo, settings, moved, "imagenet"),
               "  translate = c(2, -1),", fixed = TRUE)
})

# --- the worker process, with Python ------------------------------------------------------

wait_for <- function(worker, condition, seconds = 120) {
  deadline <- Sys.time() + seconds
  while (!condition() && Sys.time() < deadline) {
    worker$poll()
    Sys.sleep(0.1)
  }
  condition()
}

test_that("the worker keeps the engine between jobs, reports progress, cancels and explains", {
  skip_if_no_app_packages()
  skip_if_no_pydream()
  folder <- tempfile("app-worker")
  dir.create(folder)
  worker <- deepdream:::new_app_worker(folder, weights = NULL)
  on.exit(worker$stop(), add = TRUE)
  started <- NULL
  worker$when_started("a", function(result) started <<- result)
  expect_true(wait_for(worker, function() !is.null(started)))
  expect_true(started$ok, info = started$message)
  expect_true("mixed5" %in% started$value$layers)
  expect_true(all(c("jellyfish", "chollet") %in% names(started$value$presets)))
  expect_false("acid" %in% names(started$value$presets))
  expect_null(started$value$warning)
  pid <- worker$process$get_pid()

  # a photo, shrunk to 200 pixels on its longer side
  photo <- NULL
  worker$submit("a", "photo", list(path = synthetic_png(192L, 256L), size = 200L,
                                   file = file.path(folder, "photo.png")),
                function(result) photo <<- result)
  expect_true(wait_for(worker, function() !is.null(photo)))
  expect_true(photo$ok, info = photo$message)
  expect_identical(photo$value$dims, c(150L, 200L))
  expect_identical(photo$value$original, c(192L, 256L))
  expect_true(file.exists(file.path(folder, "photo.png")))

  # a dream with progress
  dream_job <- function(iterations, name) {
    list(photo = photo$value$input, settings = list(layers = list(mixed3 = 1), num_octave = 2L,
                                                    iterations = iterations, max_loss = NULL),
         labels = list(), output = file.path(folder, paste0(name, ".png")),
         octaves = file.path(folder, paste0(name, "-octaves")),
         progress = file.path(folder, paste0(name, "-progress.txt")),
         cancel = file.path(folder, paste0(name, "-cancel.txt")), weights = NULL)
  }
  dream <- NULL
  lines <- character()
  job <- dream_job(3L, "first")
  worker$submit("a", "dream", job, function(result) dream <<- result,
                on_progress = function(line) lines <<- c(lines, line),
                cancel_file = job$cancel)
  expect_true(wait_for(worker, function() !is.null(dream)))
  expect_true(dream$ok, info = dream$message)
  expect_identical(dream$value$steps, 6L)
  expect_false(dream$value$cancelled)
  expect_true(file.exists(dream$value$output))
  expect_length(dream$value$octaves, 2L)
  # the last step written: octave 2, step 3, the 6th step in all, then the loss
  expect_match(readLines(job$progress), "^2 3 6 [0-9.e+-]+$")
  expect_true(all(grepl("^[12] [123] [1-6] ", lines)))

  # cancel: the dream stops after its current step
  cancelled <- NULL
  job <- dream_job(2000L, "long")
  worker$submit("a", "dream", job, function(result) cancelled <<- result,
                on_progress = function(line) NULL, cancel_file = job$cancel)
  expect_true(wait_for(worker, function() file.exists(job$progress), 60))
  worker$cancel("a")
  expect_true(wait_for(worker, function() !is.null(cancelled), 60))
  expect_true(cancelled$ok)
  expect_true(cancelled$value$cancelled)
  expect_lt(cancelled$value$steps, 2000L)

  # a file that is not a picture: the functions' message, with the user's file name
  notes <- tempfile(fileext = ".txt")
  writeLines("not a picture", notes)
  failed <- NULL
  worker$submit("a", "photo", list(path = notes, size = 0L, file = file.path(folder, "x.png"),
                                   labels = stats::setNames(list("notes.txt"), notes)),
                function(result) failed <<- result)
  expect_true(wait_for(worker, function() !is.null(failed)))
  expect_false(failed$ok)
  expect_identical(failed$message,
                   "input image notes.txt is not a picture Pillow can read (JPEG, PNG, TIFF, ...)")
  # the same worker process did every job: the engine stayed loaded
  expect_identical(worker$process$get_pid(), pid)
})

test_that("the explorer's worker runs when deepdream was loaded from a library off .libPaths()", {
  require_package("callr")
  home <- normalizePath(dirname(system.file(package = "deepdream")))
  others <- setdiff(normalizePath(.libPaths()), home)
  # a new R that knows only the other libraries loads deepdream with lib.loc, as a user with
  # library(deepdream, lib.loc = "~/rlib") does, then runs jobs in the explorer's worker
  results <- callr::r(function(home) {
    library(deepdream, lib.loc = home)
    stopifnot(!home %in% normalizePath(.libPaths()))
    worker <- deepdream:::new_app_worker(tempdir(), weights = NULL)
    on.exit(worker$stop())
    results <- list()
    worker$submit("test", "no-such-job", list(), function(result) results$job <<- result)
    deadline <- Sys.time() + 300
    while (worker$has_jobs() && Sys.time() < deadline) {
      worker$poll()
      Sys.sleep(0.05)
    }
    results$started <- worker$started
    results
  }, args = list(home), libpath = others)
  # the job reached the package's own code in the worker (not "could not find function")
  expect_identical(results$job, list(ok = FALSE, message = "unknown job no-such-job"))
  expect_false(is.null(results$started))
  if (pydream_available()) {
    expect_true(results$started$ok, info = results$started$message)
  }
})

test_that("the worker dreams a zoom with keyframes into a GIF, frame by frame, and cancels", {
  skip_if_no_app_packages()
  skip_if_no_pydream()
  weights <- skip_if_no_weights()
  folder <- tempfile("app-zoom")
  dir.create(folder)
  worker <- deepdream:::new_app_worker(folder, weights = weights)
  on.exit(worker$stop(), add = TRUE)
  # 3 frames, two keyframes: zoom and rotate change, the picture moves 4 pixels right a frame
  zoom <- deepdream:::app_zoom_arguments(
    list(frames = 3, fps = 8, interpolation = "smooth", color_lock = TRUE, loop = "pingpong"),
    keyframe_rows(c(0, 2), zoom = c(1.05, 1.2), rotate = c(0, 3), x = c(0, 4))
  )
  expect_identical(zoom$zoom, c("0" = 1.05, "2" = 1.2))
  zoom_job <- function(name, zoom) {
    list(photo = synthetic_png(96L, 128L),
         settings = list(layers = list(mixed3 = 1), num_octave = 1L, iterations = 2L,
                         max_loss = NULL, seed = 1L, original_colors = TRUE),
         zoom = zoom, labels = list(), output = file.path(folder, paste0(name, ".gif")),
         previews = file.path(folder, paste0(name, "-frames")),
         progress = file.path(folder, paste0(name, "-progress.txt")),
         cancel = file.path(folder, paste0(name, "-cancel.txt")), weights = weights)
  }
  job <- zoom_job("zoom", zoom)
  result <- NULL
  lines <- character()
  worker$submit("a", "zoom", job, function(r) result <<- r,
                on_progress = function(line) lines <<- c(lines, line), cancel_file = job$cancel)
  expect_true(wait_for(worker, function() !is.null(result), 300))
  expect_true(result$ok, info = result$message)
  expect_identical(result$value$frames, 3L)
  expect_false(result$value$cancelled)
  expect_true(file.exists(job$output))
  expect_identical(readLines(job$progress), "3 3")
  expect_true(all(lines %in% c("1 3", "2 3", "3 3")))
  # every frame shown while the zoom ran: the photo's size, each frame a new dream
  previews <- list.files(job$previews, full.names = TRUE)
  expect_identical(basename(previews), sprintf("frame_%05d.png", 0:2))
  frames <- lapply(previews, deepdream::preprocess_image)
  expect_identical(dim(frames[[1]]), c(1L, 96L, 128L, 3L))
  expect_gt(mean(abs(frames[[3]] - frames[[2]])), 0.01)
  # ping-pong: 0, 1, 2, then 1 again
  if (requireNamespace("magick", quietly = TRUE)) {
    expect_length(magick::image_read(job$output), 4L)
  }
  expect_false(dir.exists(paste0(job$output, ".frames")))

  # Cancel: the zoom stops after its frame in hand; its work folder is removed
  job <- zoom_job("cancelled", utils::modifyList(zoom, list(frames = 5L)))
  writeLines("cancel", job$cancel)
  cancelled <- NULL
  worker$submit("a", "zoom", job, function(r) cancelled <<- r,
                on_progress = function(line) NULL, cancel_file = job$cancel)
  expect_true(wait_for(worker, function() !is.null(cancelled), 300))
  expect_true(cancelled$ok, info = cancelled$message)
  expect_true(cancelled$value$cancelled)
  expect_identical(cancelled$value$frames, 1L)
  expect_false(file.exists(job$output))
  expect_false(dir.exists(paste0(job$output, ".frames")))

  # a bad value that only the engine sees comes back as its one line
  bad <- NULL
  job <- zoom_job("bad", zoom)
  job$settings$num_octave <- 60L
  worker$submit("a", "zoom", job, function(r) bad <<- r)
  expect_true(wait_for(worker, function() !is.null(bad), 120))
  expect_false(bad$ok)
  expect_match(bad$message, "num_octave", fixed = TRUE)
})

# --- what the network sees: the keys drawn from noise by visualize() -----------------------

test_that("\"what the network sees\" is a mode beside the picture and the zoom, with its controls", {
  skip_if_no_app_packages()
  page <- as.character(deepdream:::app_ui(NULL, 600L))
  expect_match(page, "value=\"visualize\"", fixed = TRUE)
  expect_match(page, "what the network sees", fixed = TRUE)
  for (id in c("visual_size", "visual_iterations", "visual_view", "download_visual",
               "copy_visual_code", "visual_code")) {
    expect_match(page, sprintf("id=\"%s\"", id), fixed = TRUE, label = id)
  }
  expect_match(page, "data-display-if=\"input.mode == &#39;visualize&#39;\"", fixed = TRUE)
})

test_that("the layer keys become visualize()'s arguments, and the code shown draws the same", {
  options <- list(keys = c("mixed3", "mixed4:97"), size = 160, iterations = 64, seed = 2L)
  arguments <- deepdream:::app_visualize_arguments(options, weights = "/data/w.weights.h5")
  expect_identical(arguments$objective, list("mixed3", "mixed4:97"))
  expect_identical(arguments$weights, "/data/w.weights.h5")
  code <- deepdream:::app_visualize_code(arguments)
  expect_identical(strsplit(code, "\n", fixed = TRUE)[[1]], c(
    "library(deepdream)",
    "seen <- visualize(",
    "  c(\"mixed3\", \"mixed4:97\"),",
    "  size = 160L,",
    "  iterations = 64L,",
    "  seed = 2L,",
    "  weights = \"/data/w.weights.h5\"",
    ")",
    "plot(seen)"
  ))
  expect_silent(parse(text = code))
  # one key, no seed (an emptied field), the default weights
  one <- deepdream:::app_visualize_arguments(
    list(keys = "mixed4:97", size = 224, iterations = 128, seed = NA), weights = "imagenet"
  )
  expect_null(one$seed)
  expect_identical(strsplit(deepdream:::app_visualize_code(one), "\n", fixed = TRUE)[[1]][3:5],
                   c("  \"mixed4:97\",", "  size = 224L,", "  iterations = 128L"))
  # bad fields get visualize()'s one-line messages
  message_of <- function(...) {
    tryCatch({
      deepdream:::app_visualize_arguments(utils::modifyList(options, list(...)), "imagenet")
      ""
    }, error = function(e) {
      expect_s3_class(e, "deepdream_argument_error")
      conditionMessage(e)
    })
  }
  expect_identical(message_of(keys = character()),
                   "Choose at least one layer key to see, e.g. mixed4 or mixed4:97.")
  expect_match(message_of(keys = c("mixed3", "mixed4:9-0")),
               "`objective[[2]]`: the range in \"mixed4:9-0\" runs backwards (9-0).",
               fixed = TRUE)
  expect_match(message_of(size = NA), "`size` must be a whole number of pixels", fixed = TRUE)
  expect_identical(message_of(iterations = 2.5),
                   "`iterations` must be a single non-negative whole number, not 2.5.")
})

test_that("the worker draws the keys into one labelled sheet, step by step, and cancels", {
  skip_if_no_app_packages()
  skip_if_no_pydream()
  folder <- tempfile("app-visualize")
  dir.create(folder)
  worker <- deepdream:::new_app_worker(folder, weights = NULL)
  on.exit(worker$stop(), add = TRUE)
  job <- function(name, iterations) {
    options <- list(keys = c("mixed3:0", "mixed3:1"), size = 80, iterations = iterations,
                    seed = 1L)
    list(visualize = deepdream:::app_visualize_arguments(options, weights = NULL),
         output = file.path(folder, paste0(name, ".png")),
         progress = file.path(folder, paste0(name, "-progress.txt")),
         cancel = file.path(folder, paste0(name, "-cancel.txt")))
  }
  first <- job("seen", 3L)
  result <- NULL
  lines <- character()
  worker$submit("a", "visualize", first, function(r) result <<- r,
                on_progress = function(line) lines <<- c(lines, line),
                cancel_file = first$cancel)
  expect_true(wait_for(worker, function() !is.null(result), 300))
  expect_true(result$ok, info = result$message)
  expect_identical(result$value$steps, 3L)
  expect_false(result$value$cancelled)
  expect_identical(result$value$labels, c("mixed3:0", "mixed3:1"))
  expect_identical(readLines(first$progress), "3 3")
  expect_true(all(lines %in% c("1 3", "2 3", "3 3")))
  require_package("png")
  sheet <- png::readPNG(first$output)
  expect_gt(dim(sheet)[[2]], 2L * 80L)

  # Cancel: the drawing stops after its step in hand and writes nothing
  long <- job("cancelled", 2000L)
  cancelled <- NULL
  worker$submit("a", "visualize", long, function(r) cancelled <<- r,
                on_progress = function(line) NULL, cancel_file = long$cancel)
  expect_true(wait_for(worker, function() file.exists(long$progress), 120))
  worker$cancel("a")
  expect_true(wait_for(worker, function() !is.null(cancelled), 120))
  expect_true(cancelled$ok, info = cancelled$message)
  expect_true(cancelled$value$cancelled)
  expect_lt(cancelled$value$steps, 2000L)
  expect_false(file.exists(long$output))

  # a size too small for the network: the engine's one line
  small <- job("small", 2L)
  small$visualize$size <- 20
  failed <- NULL
  worker$submit("a", "visualize", small, function(r) failed <<- r)
  expect_true(wait_for(worker, function() !is.null(failed), 120))
  expect_false(failed$ok)
  expect_match(failed$message, "size must be at least", fixed = TRUE)
})
