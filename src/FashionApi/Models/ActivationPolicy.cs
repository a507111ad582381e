using System.Text.Json.Serialization;
using FashionApi.Softmax;

namespace FashionApi.Models;

/// <summary>Whether a training job's model replaces the one serving (<c>activate</c> on <c>POST /train</c>).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter))]
public enum ActivationPolicy
{
    /// <summary>Serve the new model as soon as it is saved (the default).</summary>
    Always,

    /// <summary>Serve it only if its test accuracy beats the active model's (or no model is active).</summary>
    IfBetter,

    /// <summary>Only save it; activate it later with <c>POST /models/{version}/activate</c>.</summary>
    Never,
}

/// <summary>What a job's policy decided: activate or not, and why not.</summary>
public sealed record ActivationDecision(bool Activate, string? Reason)
{
    /// <summary>Applies <paramref name="policy"/> to a new model with <paramref name="accuracy"/>, given the version
    /// active in the store and its test accuracy (null when none is).</summary>
    public static ActivationDecision For(ActivationPolicy policy, double accuracy, (string Version, double Accuracy)? active) => policy switch
    {
        ActivationPolicy.Never => new(false, "activate was 'never': saved only; POST /models/{version}/activate serves it."),
        ActivationPolicy.IfBetter when active is { } current && accuracy <= current.Accuracy =>
            new(false, $"activate was 'ifBetter' and its test accuracy {accuracy:F4} does not beat {current.Accuracy:F4} of the active model {current.Version}."),
        _ => new(true, null),
    };
}
