// Fixtures run one at a time. Measured on the loaded 2-core machine with two at a time, the fixtures that may run
// beside others took 11 minutes instead of about 14, each test about twice as long, and a kill -9 test that passes
// alone (ScheduleTests) ran an occurrence twice: not reliable enough for a few minutes. Should this change, the
// [NonParallelizable] fixtures (own broker, broker faults, full disk, browser, timing) must still run alone.
[assembly: Parallelizable(ParallelScope.None)]
