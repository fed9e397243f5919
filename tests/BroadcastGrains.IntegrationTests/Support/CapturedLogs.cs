using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>Everything the hosts under test log, so tests can check what must never appear in logs.</summary>
public static class CapturedLogs
{
    private static readonly ConcurrentQueue<string> Lines = new();
    public static readonly ILoggerProvider Provider = new CaptureProvider();

    public static IEnumerable<string> All => Lines;

    private sealed class CaptureProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CaptureLogger(categoryName);
        public void Dispose() { }
    }

    private sealed class CaptureLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            // Bounded: a long run must not turn the capture into a memory leak.
            if (Lines.Count > 50_000) Lines.TryDequeue(out _);
            Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
