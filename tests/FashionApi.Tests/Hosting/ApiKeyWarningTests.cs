using System.Collections.Concurrent;
using FashionApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace FashionApi.Tests.Hosting;

public class ApiKeyWarningTests
{
    [Theory]
    [InlineData("Production", null, true)]
    [InlineData("Production", "s3cret", false)]
    [InlineData("Development", null, false)]
    public async Task Outside_development_a_missing_api_key_is_a_start_up_warning(string environment, string? key, bool warned)
    {
        var logs = new LogCollector();
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:ApiKey"] = key });
        using var configured = factory.WithWebHostBuilder(builder => builder
            .UseEnvironment(environment)
            .ConfigureLogging(logging => logging.AddProvider(logs)));
        await configured.CreateClient().GetAsync("/health/live");
        Assert.Equal(warned, logs.Messages.Any(m => m.Level == LogLevel.Warning && m.Text.Contains("No API key is set")));
    }

    sealed class LogCollector : ILoggerProvider
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
}
