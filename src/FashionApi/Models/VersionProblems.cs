using FashionApi.Hosting;

namespace FashionApi.Models;

/// <summary>The refusals for a request that names a saved model version: one wording and one status for every route
/// under <c>/models/{version}</c>, in one place that knows how the store reports each failure.</summary>
static class VersionProblems
{
    /// <summary>Runs <paramref name="operation"/> on <paramref name="version"/>; a version that is not there is a 404,
    /// a store that is busy, unwritable or full a 503 saying which, damaged files a 409.</summary>
    public static T Guard<T>(string version, Func<string, T> operation)
    {
        try
        {
            return operation(version);
        }
        catch (Exception e) when (Refusal(version, e) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>The same for an operation that waits (an activation waiting for the store's lock without a thread).</summary>
    public static async Task<T> GuardAsync<T>(string version, Func<string, Task<T>> operation)
    {
        try
        {
            return await operation(version);
        }
        catch (Exception e) when (Refusal(version, e) is { } refusal)
        {
            throw refusal;
        }
    }

    static RequestRejectedException? Refusal(string version, Exception e) => e switch
    {
        FileNotFoundException => new(RejectionReason.UnknownVersion,
            $"No saved model version '{version}'. GET /models lists them.", StatusCodes.Status404NotFound, e) { Title = "Unknown model version" },
        StoreUnavailableException unavailable => StoreProblems.Refusal(unavailable),
        InvalidDataException or System.Text.Json.JsonException or IOException => new(RejectionReason.DamagedVersion,
            // The runtime's messages name absolute paths; a client is told the file, not where it lives.
            $"Model version '{version}' is damaged: {StoreProblems.WithoutPaths(e.Message)}", StatusCodes.Status409Conflict, e) { Title = "Damaged model version" },
        _ => null,
    };
}
