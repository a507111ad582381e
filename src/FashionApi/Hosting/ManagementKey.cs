using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FashionApi.Hosting;

/// <summary>
/// The key that management routes (train, cancel, activate) and training event streams require in <c>X-Api-Key</c>.
/// Fail closed, as TorchServe does with its token authorisation: outside Development these routes never run without a
/// key. The configured <c>FashionApi:ApiKey</c> is used when set; otherwise an instance that trains generates one at
/// first start and keeps it in <c>{ModelDirectory}/api-key</c> (mode 0600, beside the models it guards, so every
/// process sharing the store agrees on it); instances with Role <c>serve</c> read that file when it is there. The log
/// names the file, never the key. Only in Development, with no key configured, are the routes open.
/// </summary>
public sealed class ManagementKey
{
    public const string FileName = "api-key";
    const int GeneratedBytes = 32;

    readonly byte[]? expectedHash;

    public ManagementKey(IOptions<FashionApiOptions> options, IHostEnvironment environment, ILogger<ManagementKey> logger)
    {
        var settings = options.Value;
        string directory = Path.GetFullPath(settings.ModelDirectory, environment.ContentRootPath);
        FilePath = Path.Combine(directory, FileName);
        string? key = settings.ConfiguredApiKey;
        if (key is not null)
        {
            Source = ManagementKeySource.Configured;
        }
        else if (environment.IsDevelopment())
        {
            Source = ManagementKeySource.None;
            logger.LogWarning("Development, and no API key is set (FashionApi:ApiKey): anyone who can reach the service can train, cancel jobs and activate models. " +
                              "Outside Development a key is always required");
        }
        else
        {
            (key, Source) = ReadOrGenerate(settings.Role.Trains(), logger);
        }
        expectedHash = key is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>Where a generated key is (or would be) kept.</summary>
    public string FilePath { get; }

    public ManagementKeySource Source { get; }

    /// <summary>False only in Development with no key configured.</summary>
    public bool Required => expectedHash is not null;

    /// <summary>Whether <paramref name="presented"/> is the key; in constant time, so it cannot be guessed byte by byte.</summary>
    public bool Matches(string? presented) =>
        expectedHash is not null && !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expectedHash);

    (string Key, ManagementKeySource Source) ReadOrGenerate(bool mayCreate, ILogger logger)
    {
        try
        {
            if (Read() is { } existing)
            {
                logger.LogInformation("Management routes need the API key kept in {KeyFile} (send it as the header {Header})", FilePath, ApiKeyFilter.Header);
                return (existing, ManagementKeySource.File);
            }
            if (mayCreate)
            {
                string created = Generate();
                logger.LogWarning("No API key is set (FashionApi:ApiKey), so one was generated and saved to {KeyFile} (readable by this user only). " +
                                  "Management routes (train, cancel, activate) need it in the header {Header}", FilePath, ApiKeyFilter.Header);
                return (created, ManagementKeySource.File);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            logger.LogError("No API key is set (FashionApi:ApiKey) and {KeyFile} could not be used ({Problem}): management routes refuse every request " +
                            "until FashionApi:ApiKey is set or the file can be read or created", FilePath, e.Message);
            return (RandomKey(), ManagementKeySource.Unavailable);
        }
        logger.LogInformation("No API key is set and no {KeyFile} exists yet: management routes refuse every request (this instance has Role serve and never writes the store)", FilePath);
        return (RandomKey(), ManagementKeySource.Unavailable);
    }

    string? Read()
    {
        var file = new FileInfo(FilePath);
        if (!file.Exists) return null;
        if (file.LinkTarget is not null) throw new InvalidDataException("it is a symbolic link; it must be a regular file");
        if (!OperatingSystem.IsWindows() && (file.UnixFileMode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new InvalidDataException("it is readable or writable by other users; chmod 600 it");
        if (file.Length > 4096) throw new InvalidDataException("it is larger than a key");
        string key = File.ReadAllText(FilePath).Trim();
        return ApiKeyRules.Problem(key) is { } problem ? throw new InvalidDataException(problem) : key;
    }

    /// <summary>Written beside the target and linked into place without replacing, so two trainers starting together
    /// end up with the same key: the second one's link fails and it reads the first one's.</summary>
    string Generate()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        string key = RandomKey();
        string temporary = $"{FilePath}.{Guid.NewGuid():N}.tmp";
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, create))
            {
                stream.Write(Encoding.UTF8.GetBytes(key + "\n"));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, FilePath, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(FilePath))
        {
            return Read() ?? throw new InvalidDataException("it vanished while being created");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    static string RandomKey() => Base64Url(RandomNumberGenerator.GetBytes(GeneratedBytes));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public enum ManagementKeySource
{
    /// <summary>Development with no key configured: management routes are open.</summary>
    None,
    /// <summary><c>FashionApi:ApiKey</c>.</summary>
    Configured,
    /// <summary>The generated key file in the model directory.</summary>
    File,
    /// <summary>No key configured and the file could not be used: an unknowable key, so management refuses everything.</summary>
    Unavailable,
}

/// <summary>What a configured API key must be: at least 16 bytes, and not a placeholder from an example file.</summary>
public static class ApiKeyRules
{
    public const int MinimumBytes = 16;

    static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "change-me", "changeme", "change_me", "change-me-please", "changeit", "replace-me", "replaceme", "secret", "password",
        "api-key", "apikey", "your-api-key", "your_api_key", "my-api-key", "example", "default", "test", "admin",
    };

    /// <summary>What is wrong with <paramref name="key"/>, or null when it will do.</summary>
    public static string? Problem(string key)
    {
        if (key.StartsWith("${", StringComparison.Ordinal))
            return $"it is the unsubstituted text '{key}' of a compose file or shell template, not a key";
        if (Placeholders.Contains(key.Trim()) || Placeholders.Contains(key.Trim().Replace(' ', '-')))
            return $"'{key}' is a well-known placeholder";
        int bytes = Encoding.UTF8.GetByteCount(key);
        return bytes < MinimumBytes ? $"it is {bytes} bytes long; at least {MinimumBytes} are needed" : null;
    }
}
