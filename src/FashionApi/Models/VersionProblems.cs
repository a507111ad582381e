using Microsoft.AspNetCore.Http.HttpResults;

namespace FashionApi.Models;

/// <summary>The answers to a request that names a saved model version which is not there or cannot be read: one
/// wording and one status for every route under <c>/models/{version}</c>.</summary>
static class VersionProblems
{
    public static ProblemHttpResult Unknown(string version) =>
        TypedResults.Problem($"No saved model version '{version}'. GET /models lists them.",
            statusCode: StatusCodes.Status404NotFound, title: "Unknown model version");

    /// <summary>What the store throws for a version whose files are damaged (checked after <see cref="FileNotFoundException"/>).</summary>
    public static bool IsDamage(Exception e) => e is InvalidDataException or System.Text.Json.JsonException or IOException;

    public static ProblemHttpResult Damaged(string version, Exception e) =>
        TypedResults.Problem($"Model version '{version}' is damaged: {e.Message}",
            statusCode: StatusCodes.Status409Conflict, title: "Damaged model version");
}
