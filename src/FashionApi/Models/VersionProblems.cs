using FashionApi.Hosting;

namespace FashionApi.Models;

/// <summary>The refusals for a request that names a saved model version: one wording and one status for every route
/// under <c>/models/{version}</c>, in one place that knows how the store reports each failure.</summary>
static class VersionProblems
{
    /// <summary>Runs <paramref name="operation"/> on <paramref name="version"/>; a version that is not there is a 404,
    /// a store held by another writer a 503, damaged files a 409.</summary>
    public static T Guard<T>(string version, Func<string, T> operation)
    {
        try
        {
            return operation(version);
        }
        catch (FileNotFoundException e)
        {
            throw new RequestRejectedException(RejectionReason.UnknownVersion,
                $"No saved model version '{version}'. GET /models lists them.", StatusCodes.Status404NotFound, e) { Title = "Unknown model version" };
        }
        catch (StoreBusyException e)
        {
            throw new RequestRejectedException(RejectionReason.StoreBusy, e.Message, StatusCodes.Status503ServiceUnavailable, e) { Title = "Model store busy" };
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or IOException)
        {
            throw new RequestRejectedException(RejectionReason.DamagedVersion,
                $"Model version '{version}' is damaged: {e.Message}", StatusCodes.Status409Conflict, e) { Title = "Damaged model version" };
        }
    }
}
