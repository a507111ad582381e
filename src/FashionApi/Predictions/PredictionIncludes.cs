using FashionApi.Hosting;

namespace FashionApi.Predictions;

/// <summary>The optional extras <c>POST /predict?include=…</c> can add to a prediction.</summary>
public static class PredictionIncludes
{
    public const string Input = "input";

    /// <summary>True for <c>include=input</c>, false when absent; anything else is a 400 naming what is accepted.</summary>
    public static bool WantsInput(string? include) => include?.ToLowerInvariant() switch
    {
        null or "" => false,
        Input => true,
        _ => throw new RequestRejectedException(RejectionReason.InvalidParameter, $"include='{include}' is not understood; the only extra is include={Input}."),
    };
}
