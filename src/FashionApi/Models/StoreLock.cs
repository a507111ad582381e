namespace FashionApi.Models;

/// <summary>
/// The one-writer-at-a-time lock of a model store, shared by every process that uses the store: an exclusive OS lock
/// on the file <c>.lock</c> in the store's root. .NET takes it with <c>flock(LOCK_EX)</c> when a file is opened with
/// <see cref="FileShare.None"/>, which excludes other processes on the same machine and, on Linux NFS clients, on
/// other machines too; the kernel drops it when the holder exits or is killed, so a crash never leaves it held.
/// Re-entrant on the thread that holds it, so an operation made of several writes (load, record as active) can hold
/// it throughout. Held only while writing: readers never take it.
/// </summary>
public sealed class StoreLock(string root, TimeSpan timeout, ILogger logger)
{
    public const string FileName = ".lock";
    static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(25);

    readonly Lock gate = new(); // orders this process's writers before they compete with other processes
    FileStream? file;
    string? held;
    int depth;

    public string Path { get; } = System.IO.Path.Combine(root, FileName);

    /// <summary>Waits up to the configured timeout for the lock; dispose the result to release it.</summary>
    /// <exception cref="StoreBusyException">Another writer held it for the whole timeout.</exception>
    public Releaser Acquire(string operation)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (!gate.TryEnter(timeout)) throw Busy(operation);
        try
        {
            if (depth == 0)
            {
                file = OpenExclusively(operation, deadline);
                held = operation;
                // The time in the message lets the multi-process tests check that no two writers ever overlap.
                logger.LogDebug("Model store lock taken to {Operation} at {Time:O}", operation, DateTime.UtcNow);
            }
            depth++;
            return new Releaser(this);
        }
        catch
        {
            gate.Exit();
            throw;
        }
    }

    FileStream OpenExclusively(string operation, DateTime deadline)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        while (true)
        {
            try
            {
                return new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(Path) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(RetryDelay); // held by another process; flock itself cannot wait with a timeout
            }
            catch (IOException e) when (File.Exists(Path))
            {
                throw Busy(operation, e);
            }
        }
    }

    StoreBusyException Busy(string operation, Exception? inner = null) => new(
        $"Could not {operation}: another process has been writing to the model store for {timeout.TotalSeconds:0.#} s " +
        $"(lock file {Path}). Only one trainer should write to a store at a time; try again shortly.", inner);

    void Release()
    {
        if (--depth == 0)
        {
            logger.LogDebug("Model store lock released after {Operation} at {Time:O}", held, DateTime.UtcNow);
            file!.Dispose();
            file = null;
        }
        gate.Exit();
    }

    public readonly struct Releaser(StoreLock owner) : IDisposable
    {
        public void Dispose() => owner.Release();
    }
}

/// <summary>A write to the model store could not get the store's lock in time; nothing was written.</summary>
public sealed class StoreBusyException(string message, Exception? inner = null) : IOException(message, inner);
