// Fixtures run two at a time: each system has its own topology prefix, journal directory and HTTP port on the shared
// broker, and most of a test's time is spent waiting for processes. A fixture that starts its own broker, kills or
// blocks one, fills a disk, drives a browser or measures timing is [NonParallelizable] and runs alone.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
