using System.Text.RegularExpressions;
using FashionApi.Hosting;

namespace FashionApi.Models;

/// <summary>The model store cannot be written (or read) for a reason outside the request: permissions, a read-only
/// or full file system, another writer holding the lock. Its message is for clients (503): it says what is wrong
/// and names no absolute path; the inner exception, for the log, has the details.</summary>
public class StoreUnavailableException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// What a file-system failure in the model store means, in words an operator can act on, and without the absolute
/// paths the runtime puts in its messages (they tell a client where the service keeps its files). Linux reports a
/// read-only file system as EROFS and a full one as ENOSPC or EDQUOT; .NET carries the errno in the exception's
/// HResult and turns EACCES and EPERM into <see cref="UnauthorizedAccessException"/>.
/// </summary>
public static partial class StoreProblems
{
    public const int NoSpace = 28, ReadOnlyFileSystem = 30, QuotaExceeded = 122;

    /// <summary>Every way reading a version (or <c>active.json</c>) can fail on its files or their medium: missing,
    /// half-written, damaged, not valid JSON, not readable by this user. The callers that skip such a version test this.</summary>
    public static bool IsUnreadable(Exception e) =>
        e is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException;

    /// <summary>The failures that are about the store's medium rather than a version's content.</summary>
    public static bool IsEnvironmental(Exception e) =>
        e is UnauthorizedAccessException || e is IOException { HResult: ReadOnlyFileSystem or NoSpace or QuotaExceeded };

    /// <summary>Wraps an environmental failure of <paramref name="operation"/> for clients; other exceptions pass.</summary>
    public static Exception Translate(Exception e, string operation) => e switch
    {
        StoreUnavailableException => e,
        _ when IsEnvironmental(e) => new StoreUnavailableException($"Could not {operation}: {Describe(e)}", e),
        _ => e,
    };

    /// <summary>The 503 a client gets for it.</summary>
    public static RequestRejectedException Refusal(StoreUnavailableException e) => e is StoreBusyException
        ? new(RejectionReason.StoreBusy, e.Message, StatusCodes.Status503ServiceUnavailable, e) { Title = "Model store busy", RetryAfter = TimeSpan.FromSeconds(5) }
        : new(RejectionReason.StoreUnavailable, e.Message, StatusCodes.Status503ServiceUnavailable, e) { Title = "Model store unavailable", RetryAfter = TimeSpan.FromSeconds(30) };

    /// <summary>What is wrong and what to do, for people.</summary>
    public static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied: the model store's directory is not writable by the service's user. " +
                                       "Give that user the directory (chown it, or on Kubernetes set the pod's fsGroup).",
        IOException { HResult: ReadOnlyFileSystem } => "the model store is on a read-only file system. Mount it read-write on instances " +
                                                       "that train (Role serve instances may mount it read-only).",
        IOException { HResult: NoSpace or QuotaExceeded } => "the disk holding the model store is full (no space left on device, or quota " +
                                                             "exceeded). Free space or enlarge the volume; saved versions are intact.",
        _ => WithoutPaths(e.Message),
    };

    /// <summary><paramref name="message"/> with every absolute path replaced by its last segment.</summary>
    public static string WithoutPaths(string message) => AbsolutePath().Replace(message, match => Path.GetFileName(match.Value.TrimEnd('/')));

    [GeneratedRegex(@"(?<![\w.~/:])/(?:[^\s'""/:,;)]+/?)+")]
    private static partial Regex AbsolutePath();
}

/// <summary>Directories of the store are created readable by the service's user only (0700).</summary>
public static class StoreDirectories
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, OwnerOnly);
    }
}
