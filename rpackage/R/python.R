# The Python side: where pydream is found and how it is loaded.
#
# Nothing here starts Python when the package is loaded: `.onLoad()` only records which
# Python to use and registers a delayed import. Python starts on the first call that needs it.

# Module handles, filled in by .onLoad() (delayed) and by python_bridge() (on first use).
pydream <- NULL
.state <- new.env(parent = emptyenv())

# Name of the virtual environment install_deepdream() creates by default.
default_envname <- "r-deepdream"

# Name of the engine's distribution (pip's name; the import name is pydream).
engine_distribution <- "pydream-keras"

# The folder of the engine's sources that a built package carries (inst/python/pydream-keras,
# staged from the project's pydream/ by scripts/build-r): a folder pip installs from.
# "" when the installed package lacks it (installed straight from a checkout).
bundled_engine <- function() {
  folder <- system.file("python", engine_distribution, package = "deepdream")
  if (nzchar(folder) && file.exists(file.path(folder, "pyproject.toml"))) folder else ""
}

.onLoad <- function(libname, pkgname) {
  configure_python()
  pydream <<- reticulate::import("pydream", delay_load = TRUE, convert = FALSE)
}

# Tell reticulate which Python to use, without starting it.
#
# 1. `DEEPDREAM_PYTHON`: a Python executable or a virtual environment folder (passed on
#    to reticulate as RETICULATE_PYTHON).
# 2. RETICULATE_PYTHON, if set, is left to reticulate.
# 3. A virtual environment `.venv` in the working directory that has pydream installed
#    (a source checkout set up with scripts/setup-python).
# 4. The virtual environment made by install_deepdream(), when it exists.
# 5. On reticulate >= 1.41, declare the requirement with py_require() (the engine carried by
#    the package, else pydream-keras of the package's version), so that reticulate's managed
#    environment provides pydream when nothing else was chosen.
# Otherwise reticulate's own discovery (RETICULATE_PYTHON, use_python(), ...) decides.
configure_python <- function() {
  if (reticulate::py_available(initialize = FALSE)) {
    return(invisible("already running"))
  }
  python <- Sys.getenv("DEEPDREAM_PYTHON", unset = "")
  if (nzchar(python)) {
    python <- path.expand(python)
    if (dir.exists(python)) {
      python <- virtualenv_executable(python)
    }
    # RETICULATE_PYTHON is the first thing reticulate consults when Python starts.
    Sys.setenv(RETICULATE_PYTHON = python)
    use_environment_backend(python)
    return(invisible("DEEPDREAM_PYTHON"))
  }
  if (nzchar(Sys.getenv("RETICULATE_PYTHON", unset = ""))) {
    return(invisible("RETICULATE_PYTHON"))
  }
  local_venv <- file.path(getwd(), ".venv")
  if (venv_has_pydream(local_venv)) {
    Sys.setenv(RETICULATE_PYTHON = virtualenv_executable(local_venv))
    return(invisible(".venv"))
  }
  if (isTRUE(tryCatch(reticulate::virtualenv_exists(default_envname), error = function(e) FALSE))) {
    reticulate::use_virtualenv(default_envname, required = FALSE)
    use_environment_backend(reticulate::virtualenv_python(default_envname))
    return(invisible(default_envname))
  }
  if (has_py_require()) {
    py_require <- getExportedValue("reticulate", "py_require")
    engine <- bundled_engine()
    requirement <- if (nzchar(engine)) engine else engine_pypi_requirement()
    tryCatch(py_require(requirement), error = function(e) NULL)
    return(invisible("py_require"))
  }
  invisible("reticulate")
}

virtualenv_executable <- function(folder) {
  candidates <- file.path(folder, c("bin/python", "bin/python3", "Scripts/python.exe"))
  found <- candidates[file.exists(candidates)]
  if (length(found)) found[[1]] else candidates[[1]]
}

# Does a virtual environment folder hold an installed pydream (pydream-keras)?
venv_has_pydream <- function(folder) {
  patterns <- file.path(folder, c("lib/python*/site-packages", "Lib/site-packages"),
                        "pydream_keras-*.dist-info")
  file.exists(file.path(folder, "pyvenv.cfg")) && length(Sys.glob(patterns)) > 0L
}

has_py_require <- function() {
  utils::packageVersion("reticulate") >= "1.41" &&
    "py_require" %in% getNamespaceExports("reticulate")
}

#' Is the pydream engine available?
#'
#' Checks, without an error, that Python can be started and that it can import the
#' `pydream` module. Use it to guard examples and scripts. Calling it starts Python (if it
#' is not running yet) with the interpreter chosen as described in [install_deepdream()].
#'
#' @param initialize If `FALSE`, only report whether Python is already running with pydream
#'   imported, and never start Python.
#' @return `TRUE` or `FALSE`.
#' @examples
#' pydream_available(initialize = FALSE)
#' if (pydream_available()) {
#'   list_layers()
#' }
#' @export
pydream_available <- function(initialize = TRUE) {
  if (!initialize) {
    return(reticulate::py_available(initialize = FALSE) &&
      isTRUE(tryCatch(reticulate::py_module_available("pydream"), error = function(e) FALSE)))
  }
  isTRUE(tryCatch({
    python_bridge()
    TRUE
  }, error = function(e) FALSE))
}

# The bridge module (inst/python/deepdream_bridge.py), imported on first use. Importing it
# also imports pydream, so a missing engine is reported here, once, with advice.
python_bridge <- function() {
  if (!is.null(.state$bridge)) {
    return(.state$bridge)
  }
  python_ok <- tryCatch(reticulate::py_available(initialize = TRUE), error = function(e) e)
  if (!isTRUE(python_ok)) {
    detail <- if (inherits(python_ok, "error")) python_error_line(conditionMessage(python_ok))
    abort_python_setup(paste0(
      "Python could not be started",
      if (length(detail) && nzchar(detail)) paste0(" (", detail, ")"), "."
    ))
  }
  path <- system.file("python", package = "deepdream")
  bridge <- tryCatch(
    reticulate::import_from_path("deepdream_bridge", path = path, convert = FALSE),
    error = function(e) e
  )
  if (inherits(bridge, "error")) {
    abort_python_setup(paste0(
      "the Python at ", python_executable(), " cannot import pydream (",
      python_error_line(conditionMessage(bridge)), ")."
    ))
  }
  .state$bridge <- bridge
  bridge
}

python_executable <- function() {
  config <- tryCatch(reticulate::py_config(), error = function(e) NULL)
  if (is.null(config)) "(unknown)" else config$python
}

abort_python_setup <- function(problem) {
  stop(structure(
    class = c("deepdream_python_missing", "deepdream_error", "error", "condition"),
    list(
      message = paste0(
        problem, "\n",
        "* To set up Python for deepdream, run `deepdream::install_deepdream()` ",
        "and restart R.\n",
        "* To use a Python that already has pydream, set the environment variable ",
        "DEEPDREAM_PYTHON to its path (before loading deepdream, e.g. in ~/.Renviron)."
      ),
      call = NULL
    )
  ))
}

#' Install the Python engine
#'
#' Creates a Python virtual environment and installs the `pydream` engine (with Keras 3 and
#' TensorFlow) into it, so that deepdream can use it. Run it once, then restart R.
#'
#' A released package (built by the project's `scripts/build-r`) carries the engine's Python
#' sources (the `pydream-keras` distribution, in the folder `python/pydream-keras` of the
#' installed package), so by default the engine is installed from the package itself: no
#' source checkout is needed, and the engine always matches the R package. A package
#' installed straight from a checkout (`R CMD INSTALL rpackage`, or
#' `remotes::install_github(..., subdir = "rpackage")`) carries no engine: then the default
#' is `pydream-keras` at the package's own version from the Python Package Index, and
#' `source =` installs it from a checkout, a wheel or a Git URL instead. The message says
#' which source was used. The engine's dependencies (Keras, TensorFlow, NumPy, Pillow,
#' SciPy, ...) come from the Python Package Index, about 0.5 to 1 GB to download the first
#' time.
#'
#' deepdream looks for Python in this order when it is first needed:
#' 1. the environment variable `DEEPDREAM_PYTHON` (a Python executable or a virtual
#'    environment folder), read when deepdream is loaded (it sets `RETICULATE_PYTHON`
#'    to that Python);
#' 2. `RETICULATE_PYTHON`, if set;
#' 3. a virtual environment `.venv` in the working directory, if pydream is installed in it
#'    (as in a source checkout of the project);
#' 4. the virtual environment this function creates (`envname`, "r-deepdream" by default);
#' 5. with reticulate 1.41 or later, an environment that reticulate provides through
#'    `py_require()`;
#' 6. otherwise, reticulate's own discovery rules.
#'
#' @param source What to install with pip: `NULL` (the default) for the engine carried by
#'   this package (or, when it carries none, `pydream-keras==VERSION` from the Python
#'   Package Index, VERSION being this package's version), or a path to a checkout of the
#'   pydream sources (the folder that holds `pyproject.toml`), a wheel file, or a pip
#'   requirement (such as a Git URL: `"git+https://github.com/OWNER/REPO"`).
#' @param envname Name or path of the virtual environment to create or update.
#' @param python The Python used to create the environment; `NULL` lets reticulate choose a
#'   suitable one (Python 3.10 or later is needed).
#' @param extra_packages Further Python packages to install into the environment.
#' @param force If `TRUE`, remove an existing environment of that name first.
#' @param backend The Keras backend to install and use: "tensorflow" (the default),
#'   "jax" or "torch". The choice is kept with the environment: R sessions that use it set
#'   the environment variable `KERAS_BACKEND` to it before Python starts, unless
#'   `KERAS_BACKEND` is set already.
#' @param gpu If `TRUE`, install the backend's GPU build: for "jax", `jax[cuda12]`
#'   (Linux); for "torch", PyTorch from the Python Package Index already uses NVIDIA GPUs
#'   on Linux and the Apple GPU on macOS (on Windows it is CPU-only: install PyTorch's CUDA
#'   build into the environment as pytorch.org says). There is no TensorFlow GPU choice:
#'   its GPU build clashes with the engine's tensorflow-cpu on Linux, and TensorFlow has
#'   no GPU build for Windows or Apple GPUs.
#' @return The path of the environment's Python executable, invisibly.
#' @examples
#' \dontrun{
#' # The engine carried by the package, its dependencies from the Python Package Index:
#' install_deepdream()
#' # From a source checkout, a wheel or Git, or into an environment of your choice:
#' install_deepdream(source = "~/src/pydream")
#' install_deepdream(source = "~/Downloads/pydream_keras-0.1.0-py3-none-any.whl")
#' install_deepdream(envname = "~/venvs/deepdream")
#' # PyTorch as the Keras backend, on an NVIDIA GPU (Linux) or an Apple silicon Mac:
#' install_deepdream(backend = "torch", gpu = TRUE)
#' }
#' @export
install_deepdream <- function(source = NULL, envname = default_envname,
                              python = NULL, extra_packages = NULL, force = FALSE,
                              backend = c("tensorflow", "jax", "torch"), gpu = FALSE) {
  if (identical(backend, eval(formals(install_deepdream)$backend))) {
    backend <- "tensorflow"
  }
  backend <- check_choice(backend, "backend", c("tensorflow", "jax", "torch"))
  check_flag(gpu, "gpu")
  backend_packages <- backend_requirements(backend, gpu)
  source <- check_string(source, "source", allow_null = TRUE)
  envname <- check_string(envname, "envname")
  if (!is.null(python)) {
    python <- check_string(python, "python")
  }
  check_flag(force, "force")
  if (!is.null(extra_packages) && (!is.character(extra_packages) || anyNA(extra_packages))) {
    abort_argument("`extra_packages` must be a character vector of package names or NULL.")
  }
  source <- engine_source(source)
  without_r_library_path()
  if (isTRUE(force) && reticulate::virtualenv_exists(envname)) {
    reticulate::virtualenv_remove(envname, confirm = FALSE)
  }
  if (!reticulate::virtualenv_exists(envname)) {
    if (is.null(python)) {
      reticulate::virtualenv_create(envname)
    } else {
      reticulate::virtualenv_create(envname, python = python)
    }
  }
  packages <- c(engine_requirement(source, backend), backend_packages, extra_packages)
  installed <- tryCatch(
    reticulate::virtualenv_install(envname, packages = packages, ignore_installed = FALSE),
    error = function(e) e
  )
  if (inherits(installed, "error")) {
    abort_install(packages, conditionMessage(installed),
                  from_pypi = identical(source, engine_pypi_requirement()))
  }
  executable <- reticulate::virtualenv_python(envname)
  write_environment_backend(executable, backend)
  restart_note <- if (!identical(envname, default_envname)) {
    paste0("\nThis is not the default environment: set DEEPDREAM_PYTHON=", executable,
           " (e.g. in ~/.Renviron) so that deepdream uses it.")
  }
  message(
    "pydream is installed in ", executable, " (Keras backend: ", backend, ").\n",
    "Restart R to use it; deepdream finds this environment by itself.",
    restart_note
  )
  invisible(executable)
}

# R puts its own library folder and the system's first in LD_LIBRARY_PATH for every program
# it starts. A Python linked to a shared libpython of its own (pyenv, a source build) then
# loads the system's libpython instead, and modules such as ssl fail to load: pip cannot
# reach the Python Package Index. For the rest of the calling function, programs start
# without those folders (the loader searches the system's anyway); other entries are kept.
without_r_library_path <- function(envir = parent.frame()) {
  old <- Sys.getenv("LD_LIBRARY_PATH", unset = NA)
  if (.Platform$OS.type != "unix" || is.na(old)) {
    return(invisible())
  }
  defer <- function(expr) do.call(on.exit, list(expr, add = TRUE), envir = envir)
  kept <- library_path_without_r(old)
  if (length(kept)) {
    Sys.setenv(LD_LIBRARY_PATH = paste(kept, collapse = ":"))
  } else {
    Sys.unsetenv("LD_LIBRARY_PATH")
  }
  defer(substitute(Sys.setenv(LD_LIBRARY_PATH = old), list(old = old)))
  invisible()
}

# The entries of a LD_LIBRARY_PATH value that are neither R's library folder, nor a Java
# library folder R adds, nor a folder the loader searches by default.
library_path_without_r <- function(value) {
  parts <- strsplit(value, ":", fixed = TRUE)[[1]]
  parts <- parts[nzchar(parts)]
  defaults <- c(R.home("lib"), "/lib", "/usr/lib", "/lib64", "/usr/lib64",
                Sys.glob("/lib/*-linux-gnu"), Sys.glob("/usr/lib/*-linux-gnu"))
  clean <- function(x) sub("/+$", "", normalizePath(x, mustWork = FALSE))
  r_own <- clean(parts) %in% clean(defaults) | grepl("/jvm/.*/lib/server/?$", parts)
  parts[!r_own]
}

# What pip installs for `source`: NULL -> a fresh copy of the bundled engine (pip may write
# build files into the folder it installs, and an installed package's folder may be
# read-only); an existing path -> its absolute path; anything else -> a pip requirement.
# What pip installs for the engine with `backend`: a local folder or wheel with the
# backend's extra (pyproject.toml: [jax], [torch]); another requirement as it is, with the
# backend's package beside it.
engine_requirement <- function(source, backend) {
  if (identical(backend, "tensorflow")) {
    return(source)
  }
  if (file.exists(source)) paste0(source, "[", backend, "]") else c(source, backend)
}

# The GPU builds to install beside the engine (none without `gpu`). TensorFlow's GPU build
# clashes with the engine's tensorflow-cpu on Linux and exists nowhere else, so a GPU means
# JAX (Linux) or PyTorch, whose PyPI build already uses NVIDIA GPUs on Linux and the Apple
# GPU on macOS.
backend_requirements <- function(backend, gpu, os = Sys.info()[["sysname"]]) {
  if (!gpu) {
    return(character())
  }
  if (identical(backend, "tensorflow")) {
    abort_argument(paste0(
      "TensorFlow's GPU build is not installed by deepdream (on Linux it clashes with the ",
      "engine's tensorflow-cpu; Windows and macOS have none): use `backend = \"torch\"` ",
      "(NVIDIA GPUs on Linux and Windows, Apple GPUs) or `backend = \"jax\"` (NVIDIA GPUs ",
      "on Linux) with `gpu = TRUE`."
    ))
  }
  if (identical(backend, "jax")) {
    if (!identical(os, "Linux")) {
      abort_argument(paste0(
        "JAX's GPU build is for Linux only; on ", os, " use `backend = \"torch\"` ",
        "with `gpu = TRUE`."
      ))
    }
    return("jax[cuda12]")
  }
  if (identical(os, "Windows")) {
    message("On Windows, PyPI's PyTorch computes on the CPU: install PyTorch's CUDA build ",
            "into the environment as pytorch.org says.")
  }
  character()
}

# The Keras backend chosen by install_deepdream() is kept in the environment's folder
# (`deepdream-backend`), so that R sessions using that environment set KERAS_BACKEND to it
# before Python starts (unless KERAS_BACKEND is set already).
backend_file <- function(executable) {
  file.path(dirname(dirname(executable)), "deepdream-backend")
}

write_environment_backend <- function(executable, backend) {
  path <- backend_file(executable)
  if (identical(backend, "tensorflow")) {
    unlink(path)
  } else {
    writeLines(backend, path)
  }
  invisible(path)
}

use_environment_backend <- function(executable) {
  path <- backend_file(executable)
  if (nzchar(Sys.getenv("KERAS_BACKEND", unset = "")) || !file.exists(path)) {
    return(invisible(NULL))
  }
  backend <- trimws(readLines(path, n = 1L, warn = FALSE))
  if (length(backend) && backend %in% c("tensorflow", "jax", "torch")) {
    Sys.setenv(KERAS_BACKEND = backend)
  }
  invisible(backend)
}

# `engine`: the carried engine's folder, "" when there is none.
engine_source <- function(source, engine = bundled_engine()) {
  if (is.null(source)) {
    if (!nzchar(engine)) {
      requirement <- engine_pypi_requirement()
      message("This deepdream does not carry the engine's sources (it was installed from a ",
              "checkout): installing ", requirement, " from the Python Package Index.")
      return(requirement)
    }
    message("Installing the engine that deepdream carries (", engine_distribution, " ",
            engine_version(), ").")
    copy <- tempfile("pydream-keras-")
    dir.create(copy)
    file.copy(engine, copy, recursive = TRUE)
    return(file.path(copy, basename(engine)))
  }
  local_source <- path.expand(source)
  if (file.exists(local_source)) {
    source <- normalizePath(local_source, mustWork = TRUE)
  }
  message("Installing the engine from ", source, ".")
  source
}

# pip failed: say what it could not install, and, for the default from the Python Package
# Index, how to install the engine from Git or a checkout instead.
abort_install <- function(packages, problem, from_pypi) {
  advice <- if (from_pypi) {
    paste0(
      "\n* ", engine_pypi_requirement(), " may not be on the Python Package Index (yet): ",
      "install the engine from Git, `install_deepdream(source = ",
      "\"git+https://github.com/pydream/pydream-keras\")`, or from a checkout, ",
      "`install_deepdream(source = \"path/to/checkout\")`."
    )
  }
  stop(structure(
    class = c("deepdream_install_error", "deepdream_error", "error", "condition"),
    list(
      message = paste0("pip could not install ", paste(packages, collapse = ", "), " (",
                       python_error_line(problem), ").", advice),
      call = NULL
    )
  ))
}

# The engine's version is the R package's own: both are written once, in pydream/_version.py.
engine_version <- function() {
  as.character(utils::packageVersion("deepdream"))
}

# The pip requirement of the engine on the Python Package Index, at this package's version.
engine_pypi_requirement <- function() {
  paste0(engine_distribution, "==", engine_version())
}
