# Keyframes: settings of an animation that change from frame to frame (dream_zoom(),
# dream_video()). Each is checked in R alone into one of three forms, then converted for
# the engine (pydream.motion), where frames are numbered from 0:
#   - a constant: the checked value, as for a single picture;
#   - one value a frame: class "deepdream_per_frame", `values` (a list) -> a Python list;
#   - keyframes: class "deepdream_keyframes", `frames` (increasing integers from 0) and
#     `values` (a list) -> a Python dict {frame: value} with int keys.
# A schedule (class "deepdream_schedule": `frames` and `settings`, one named list of
# setting = value a keyframe) -> a Python dict {frame: {setting: value}}.

# The dream settings an animation may keyframe (pydream.settings.KEYFRAMED, dream settings
# first); iterations, num_octave and jitter are rounded between keyframes by the engine.
keyframed_dream_settings <- c(
  "layers", "step", "num_octave", "octave_scale", "iterations", "max_loss", "jitter",
  "continuity", "dream_l2", "smoothing", "lbfgs_noise"
)

# The animations' own keyframed settings and their checks: function(x, name) -> value.
animation_value_checks <- list(
  zoom = function(x, name) check_number(x, name, min = 1, max = max_zoom),
  rotate = function(x, name) check_number(x, name),
  translate = function(x, name) check_offset(x, name),
  blend = function(x, name) check_number(x, name, min = 0, max = 1)
)

# The check of one value of a keyframed setting: function(x, label) -> value for Python.
keyframe_value_check <- function(name) {
  animation_value_checks[[name]] %||% function(x, label) {
    spec <- dream_schema[[name]]
    check <- setting_name_checks[[name]] %||% setting_kind_checks[[spec$kind]]
    check(x, label, spec)
  }
}

# How keyframes of a setting are written, for the messages.
keyframe_example <- function(name) {
  switch(name,
    zoom = "c(\"0\" = 1.02, \"48\" = 1.1)",
    rotate = "c(\"0\" = 0, \"48\" = 2)",
    blend = "c(\"0\" = 0.6, \"24\" = 0.2)",
    translate = "list(\"0\" = c(0, 0), \"30\" = c(4, 0))",
    layers = "list(\"0\" = list(mixed3 = 1), \"30\" = list(mixed5 = 1.5))",
    iterations = , num_octave = , jitter = "c(\"0\" = 2, \"48\" = 6)",
    "c(\"0\" = 0.01, \"48\" = 0.03)"
  )
}

# Names that are frame numbers: digits only ("0", "48").
is_frame_name <- function(x) !is.na(x) & grepl("^[0-9]+$", x)

# Is `x` the keyframed form of setting `name` (several values), rather than one value?
is_keyframed_form <- function(x, name) {
  if (is.data.frame(x)) {
    return(TRUE)
  }
  if (identical(name, "translate")) {
    return(is.matrix(x) || (is.list(x) && length(x) > 0L))
  }
  if (identical(name, "layers")) {
    # a layer mapping is named by layers, keyframes by frames
    return(is.list(x) && !is_objective(x) && length(x) > 0L &&
             !is.null(names(x)) && all(is_frame_name(names(x))))
  }
  if (!(is.atomic(x) || is.list(x)) || is.null(x)) {
    return(FALSE)
  }
  value_names <- names(x)
  length(x) > 1L || (!is.null(value_names) && all(is_frame_name(value_names)))
}

# A keyframed setting in any R form -> its checked form (see the top of this file). The
# checks that need the number of frames are check_frame_count()'s.
check_keyframed <- function(x, name) {
  check_value <- keyframe_value_check(name)
  if (!is_keyframed_form(x, name)) {
    return(check_value(x, name))
  }
  if (is.data.frame(x)) {
    return(check_keyframe_table(x, name, check_value))
  }
  if (identical(name, "translate") && is.matrix(x)) {
    return(check_offset_matrix(x))
  }
  value_names <- names(x)
  if (is.null(value_names)) {
    if (identical(name, "translate")) {
      abort_argument(sprintf(
        paste0("`translate` keyframes must be a list of c(x, y) pairs named by frame ",
               "numbers from 0, such as `%s`; one pair a frame is a matrix with 2 columns."),
        keyframe_example(name)
      ))
    }
    values <- lapply(seq_along(x), function(i) check_value(x[[i]], sprintf("%s[%d]", name, i)))
    return(structure(list(values = values), class = "deepdream_per_frame"))
  }
  bad <- which(!is_frame_name(value_names))
  if (length(bad)) {
    abort_argument(sprintf(
      paste0("`%s` keyframes must be named by frame numbers from 0, such as `%s`, ",
             "not \"%s\"; give one value a frame without names."),
      name, keyframe_example(name), value_names[[bad[[1]]]]
    ))
  }
  frames <- check_keyframe_order(as.numeric(value_names), name)
  values <- lapply(seq_along(x), function(i) {
    check_value(x[[i]], sprintf("%s[[\"%s\"]]", name, value_names[[i]]))
  })
  structure(list(frames = frames, values = values), class = "deepdream_keyframes")
}

# Keyframes as a data frame: columns `frame` and `value` (translate: `frame`, `x`, `y`).
check_keyframe_table <- function(x, name, check_value) {
  columns <- if (identical(name, "translate")) c("frame", "x", "y") else c("frame", "value")
  if (!all(columns %in% names(x))) {
    abort_argument(sprintf(
      paste0("`%s` as a data frame needs the columns %s (one row a keyframe), ",
             "not %s."),
      name, paste0("`", columns, "`", collapse = ", "),
      if (length(names(x))) paste0("`", names(x), "`", collapse = ", ") else "none"
    ))
  }
  if (nrow(x) == 0L) {
    abort_argument(sprintf("`%s` has no keyframes: give at least one row.", name))
  }
  frames <- check_frame_numbers(x$frame, sprintf("%s$frame", name))
  frames <- check_keyframe_order(frames, name)
  values <- lapply(seq_len(nrow(x)), function(i) {
    if (identical(name, "translate")) {
      check_value(c(x$x[[i]], x$y[[i]]), sprintf("translate[%d, c(\"x\", \"y\")]", i))
    } else {
      check_value(x$value[[i]], sprintf("%s$value[%d]", name, i))
    }
  })
  structure(list(frames = frames, values = values), class = "deepdream_keyframes")
}

# A frames x 2 matrix of translate pairs: one a frame.
check_offset_matrix <- function(x) {
  if (ncol(x) != 2L || nrow(x) == 0L) {
    abort_argument(sprintf(
      paste0("`translate` as a matrix must have 2 columns (x, y) and one row a frame, ",
             "not %d x %d."),
      nrow(x), ncol(x)
    ))
  }
  values <- lapply(seq_len(nrow(x)), function(i) {
    check_offset(x[i, ], sprintf("translate[%d, ]", i))
  })
  structure(list(values = values), class = "deepdream_per_frame")
}

# A frame column: whole numbers from 0 -> integer.
check_frame_numbers <- function(x, name) {
  good <- is.numeric(x) && length(x) > 0L && !anyNA(x) && all(is.finite(x)) &&
    all(x == round(x)) && all(x >= 0) && all(x <= max_animation_frames)
  if (!good) {
    abort_argument(sprintf(
      "`%s` must hold frame numbers, whole numbers from 0 (the first frame), not %s.",
      name, describe_value(x)
    ))
  }
  as.integer(x)
}

# Keyframe frames must increase: -> integer.
check_keyframe_order <- function(frames, name) {
  frames <- as.integer(frames)
  for (i in seq_along(frames)[-1L]) {
    if (frames[[i]] == frames[[i - 1L]]) {
      abort_argument(sprintf(
        "`%s` has two keyframes at frame %d; give each frame once.", name, frames[[i]]
      ))
    }
    if (frames[[i]] < frames[[i - 1L]]) {
      abort_argument(sprintf(
        "`%s` keyframes must be in increasing frame order: frame %d comes after frame %d.",
        name, frames[[i]], frames[[i - 1L]]
      ))
    }
  }
  frames
}

# The checks of a checked keyframed setting (or schedule) that need the number of frames
# `frames` (NULL: unknown, left to the engine); `source` says what has them.
check_frame_count <- function(x, name, frames, source = "the animation") {
  if (is.null(frames)) {
    return(invisible(x))
  }
  if (inherits(x, "deepdream_per_frame") && length(x$values) != frames) {
    abort_argument(sprintf(
      paste0("`%s` has %d values but %s has %d frames: give one value, one a frame, ",
             "or keyframes such as `%s` (frames from 0)."),
      name, length(x$values), source, frames, keyframe_example(name)
    ))
  }
  if (inherits(x, c("deepdream_keyframes", "deepdream_schedule"))) {
    last <- x$last %||% x$frames[[length(x$frames)]]
    if (last >= frames) {
      abort_argument(sprintf(
        paste0("`%s` keyframe at frame %d is past the last frame (%d) of %d frames; ",
               "frames are numbered from 0."),
        name, last, frames - 1L, frames
      ))
    }
  }
  invisible(x)
}

# The value a keyframed setting starts with (for the checks that look at one value).
first_value <- function(x) {
  if (inherits(x, c("deepdream_per_frame", "deepdream_keyframes"))) x$values[[1]] else x
}

# translate: c(x, y), pixels a frame -> a double vector of 2.
check_offset <- function(x, name = "translate") {
  good <- is.numeric(x) && is.null(dim(x)) && length(x) == 2L && !anyNA(x) &&
    all(is.finite(x)) && (is.null(names(x)) || identical(names(x), c("x", "y")))
  if (!good) {
    shown <- if (is.numeric(x) && length(x) == 1L) {
      "one number"
    } else if (is.numeric(x) && is.null(dim(x)) && length(x) > 2L) {
      sprintf("%d numbers", length(x))
    } else {
      describe_value(x)
    }
    abort_argument(sprintf(
      paste0("`%s` must be two finite numbers, c(x, y): pixels a frame, x right and y down, ",
             "not %s; keyframes are a named list of pairs such as `%s`."),
      name, shown, keyframe_example("translate")
    ))
  }
  unname(as.double(x))
}

# color_lock: FALSE or NULL (off), TRUE ("mean_std"), "mean_std" or "histogram".
check_color_lock <- function(x) {
  if (is.null(x)) {
    return(FALSE)
  }
  if (is.logical(x) && length(x) == 1L && !is.na(x)) {
    return(x)
  }
  if (!(is.character(x) && length(x) == 1L && !is.na(x) && x %in% color_lock_methods)) {
    abort_argument(sprintf(
      paste0("`color_lock` must be TRUE, FALSE, %s (each channel's mean and spread) or %s ",
             "(each channel's histogram), not %s."),
      "\"mean_std\"", "\"histogram\"", describe_value(x)
    ))
  }
  x
}

color_lock_methods <- c("mean_std", "histogram")

# loop: NULL, "pingpong" or (a zoom) "seamless".
check_loop <- function(x, choices = c("pingpong", "seamless")) {
  if (is.null(x)) {
    return(NULL)
  }
  if (!(is.character(x) && length(x) == 1L && !is.na(x) && x %in% choices)) {
    extra <- if (identical(x, "seamless")) {
      " (\"seamless\" closes a zoom, made by dream_zoom())"
    } else {
      ""
    }
    allowed <- c("NULL", paste0("\"", choices, "\""))
    abort_argument(sprintf(
      "`loop` must be %s or %s, not %s%s.",
      paste(utils::head(allowed, -1L), collapse = ", "), utils::tail(allowed, 1L),
      describe_value(x), extra
    ))
  }
  x
}

# schedule: NULL, the path of a JSON file, a data frame with a `frame` column and one column
# a setting (NA: no keyframe of it there), or a named list frame -> list(setting = value).
# `allowed` are the settings it may keyframe, `what` the function -> NULL, the expanded
# path, or class "deepdream_schedule".
check_schedule <- function(x, allowed, what) {
  if (is.null(x)) {
    return(NULL)
  }
  if (is.character(x)) {
    return(check_existing_file(x, "schedule"))
  }
  if (is.data.frame(x)) {
    return(check_schedule_table(x, allowed, what))
  }
  frame_names <- names(x)
  if (!is.list(x) || length(x) == 0L || is.null(frame_names)) {
    abort_argument(sprintf(
      paste0("`schedule` must be a data frame with a `frame` column and one column a ",
             "setting, a list named by frames such as `%s`, or the path of a JSON file, ",
             "not %s."),
      schedule_example, describe_value(x)
    ))
  }
  bad <- which(!is_frame_name(frame_names))
  if (length(bad)) {
    abort_argument(sprintf(
      "`schedule` must be named by frame numbers from 0, such as `%s`, not \"%s\".",
      schedule_example, frame_names[[bad[[1]]]]
    ))
  }
  frames <- check_keyframe_order(as.numeric(frame_names), "schedule")
  settings <- lapply(seq_along(x), function(i) {
    label <- sprintf("schedule[[\"%s\"]]", frame_names[[i]])
    entry <- x[[i]]
    if (!(is.list(entry) || is.atomic(entry)) || length(entry) == 0L ||
        is.null(names(entry)) || !all(nzchar(names(entry)))) {
      abort_argument(sprintf(
        "`%s` must be a named list of setting = value, such as `list(zoom = 1.1)`, not %s.",
        label, describe_value(entry)
      ))
    }
    check_schedule_names(names(entry), allowed, what)
    entry <- as.list(entry)
    checked <- lapply(names(entry), function(name) {
      keyframe_value_check(name)(entry[[name]], sprintf("%s$%s", label, name))
    })
    names(checked) <- names(entry)
    checked
  })
  structure(list(frames = frames, settings = settings), class = "deepdream_schedule")
}

schedule_example <- "list(\"0\" = list(zoom = 1.02), \"48\" = list(zoom = 1.1, step = 0.02))"

# A schedule as a data frame: rows are keyframes, NA (or NULL in a list column) leaves one.
check_schedule_table <- function(x, allowed, what) {
  columns <- setdiff(names(x), "frame")
  if (!"frame" %in% names(x) || length(columns) == 0L) {
    abort_argument(paste0(
      "`schedule` as a data frame needs a `frame` column (frames from 0) and one column a ",
      "setting, such as `data.frame(frame = c(0, 48), zoom = c(1.02, 1.1))`."
    ))
  }
  if (nrow(x) == 0L) {
    abort_argument("`schedule` has no keyframes: give at least one row.")
  }
  check_schedule_names(columns, allowed, what)
  frames <- check_keyframe_order(check_frame_numbers(x$frame, "schedule$frame"), "schedule")
  settings <- lapply(seq_len(nrow(x)), function(i) {
    entry <- list()
    for (name in columns) {
      value <- x[[name]][[i]]
      if (is.null(value) || (is.atomic(value) && length(value) == 1L && is.na(value))) {
        next
      }
      entry[name] <- list(
        keyframe_value_check(name)(value, sprintf("schedule$%s[%d]", name, i))
      )
    }
    entry
  })
  kept <- lengths(settings) > 0L
  if (!any(kept)) {
    abort_argument("`schedule` holds only NA: give at least one value.")
  }
  # `last`: the last frame named, kept or not, for check_frame_count()
  structure(list(frames = frames[kept], settings = settings[kept], last = max(frames)),
            class = "deepdream_schedule")
}

check_schedule_names <- function(names, allowed, what) {
  unknown <- setdiff(names, allowed)
  if (length(unknown)) {
    abort_argument(sprintf(
      "`schedule` has `%s`, which %s() cannot change over the frames; it can change %s.",
      unknown[[1]], what, paste0("`", allowed, "`", collapse = ", ")
    ))
  }
  if (anyDuplicated(names)) {
    abort_argument(sprintf(
      "`schedule` gives `%s` twice at one frame.", names[anyDuplicated(names)]
    ))
  }
}

# Settings of a schedule given as arguments too (`given`) are refused, as by the engine.
check_schedule_conflicts <- function(schedule, given) {
  if (!inherits(schedule, "deepdream_schedule")) {
    return(invisible())
  }
  both <- intersect(given, unique(unlist(lapply(schedule$settings, names))))
  if (length(both)) {
    abort_argument(sprintf(
      "`%s` is given both as an argument and in `schedule`; give it in one place.", both[[1]]
    ))
  }
  invisible()
}

# The settings a schedule keyframes (none for a JSON file, which the engine reads).
schedule_settings <- function(schedule) {
  if (inherits(schedule, "deepdream_schedule")) unique(unlist(lapply(schedule$settings, names)))
}

# One checked value -> what Python takes (translate: a tuple).
value_to_python <- function(name, value) {
  if (identical(name, "translate")) reticulate::tuple(value[[1]], value[[2]]) else value
}

# A checked keyframed setting -> a Python list (one value a frame), a dict {frame: value}
# with int keys (keyframes), or the value (a constant).
keyframed_to_python <- function(name, x) {
  convert <- function(value) value_to_python(name, value)
  if (inherits(x, "deepdream_keyframes")) {
    return(reticulate::py_dict(as.list(x$frames), lapply(x$values, convert), convert = FALSE))
  }
  if (inherits(x, "deepdream_per_frame")) {
    return(reticulate::r_to_py(lapply(x$values, convert)))
  }
  convert(x)
}

# A checked schedule -> a Python dict {frame: {setting: value}} with int keys, or the path.
schedule_to_python <- function(schedule) {
  if (!inherits(schedule, "deepdream_schedule")) {
    return(schedule)
  }
  entries <- lapply(schedule$settings, function(entry) {
    dict <- reticulate::py_dict(list(), list(), convert = FALSE)
    for (name in names(entry)) {
      value <- value_to_python(name, entry[[name]])
      reticulate::py_set_item(dict, name, if (is.null(value)) reticulate::py_none() else value)
    }
    dict
  })
  reticulate::py_dict(as.list(schedule$frames), entries, convert = FALSE)
}

# The dream settings of an animation's `...`, with `layers` and `preset`: keyframed ones
# (see is_keyframed_form()) are checked here, the rest as in deep_dream(), and the checks
# that look at one value (an optimizer's settings, layers a octave) see the first one.
# Returns the checked settings; `keyframed` names those given as several values.
check_animation_settings <- function(values, what, layers, preset) {
  also <- list(layers = layers, preset = preset)
  keyframed <- list()
  for (name in intersect(keyframed_dream_settings, c("layers", names(values)))) {
    value <- if (identical(name, "layers")) layers else values[[name]]
    if (!is_keyframed_form(value, name)) {
      next
    }
    keyframed[[name]] <- check_keyframed(value, name)
    if (identical(name, "layers")) {
      also["layers"] <- list(first_value(keyframed[[name]]))
    } else {
      values[name] <- list(first_value(keyframed[[name]]))
    }
  }
  settings <- check_dots_settings(
    values, what, for_what = "for every frame", excluded = not_in_dots_settings, also = also
  )
  settings[names(keyframed)] <- keyframed
  list(settings = settings, keyframed = names(keyframed))
}
