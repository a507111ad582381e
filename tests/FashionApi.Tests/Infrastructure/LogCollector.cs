using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FashionApi.Tests.Infrastructure;

/// <summary>Keeps every log line a host writes, for tests of what operators are told.</summary>
public sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Text)> Messages { get; } = new();
    public ILogger CreateLogger(string categoryName) => new Logger(Messages);
    public void Dispose() { }

    sealed class Logger(ConcurrentQueue<(LogLevel, string)> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue((logLevel, formatter(state, exception)));
    }
}
