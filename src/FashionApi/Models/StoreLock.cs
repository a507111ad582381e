namespace FashionApi.Models;

/// <summary>
/// The one-writer-at-a-time lock of a model store, shared by every process that uses the store: an exclusive OS lock
/// on the file <c>.lock</c> in the store's root. .NET takes it with <c>flock(LOCK_EX | LOCK_NB)</c> when a file is
/// opened with <see cref="FileShare.None"/>, which excludes other processes on the same machine and, on Linux NFS
/// clients, on other machines too; the kernel drops it when the holder exits or is killed, so a crash never leaves it
/// held. The lock file is created readable by the service's user only (0600; an existing one is narrowed to that),
/// since flock works on any descriptor, even a read-only one another user could open.
/// Waiting never holds a thread: this process's writers queue on an async semaphore, and while another process holds
/// the file, attempts are retried after an asynchronous delay, up to the configured timeout. Re-entrant within one
/// logical flow (an async call chain, or a thread's nested calls), so an operation made of several writes (load,
/// record as active) can hold it throughout. Held only while writing: readers never take it.
/// </summary>
public sealed class StoreLock(string root, TimeSpan timeout, ILogger logger)
{
    public const string FileName = ".lock";
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(25);

    readonly SemaphoreSlim gate = new(1, 1); // orders this process's writers before they compete with other processes
    readonly AsyncLocal<Hold?> holding = new(); // the hold of the flow that has the lock, for re-entry
    FileStream? file;

    public string Path { get; } = System.IO.Path.Combine(root, FileName);

    /// <summary>Waits, without blocking a thread, up to the configured timeout for the lock; dispose the result to
    /// release it. Not an async method on purpose: the hold it records must be visible to the caller's flow.</summary>
    /// <exception cref="StoreBusyException">Another writer held it for the whole timeout.</exception>
    public ValueTask<Releaser> AcquireAsync(string operation, CancellationToken cancellationToken = default)
    {
        if (holding.Value is { Held: true } current && current.Owner == this)
        {
            current.Depth++;
            return ValueTask.FromResult(new Releaser(current));
        }
        var hold = new Hold(this);
        holding.Value = hold;
        return TakeAsync(hold, operation, cancellationToken);
    }

    /// <summary>The same, for the training worker's own long-lived thread and start-up code, which may wait; request
    /// handlers use <see cref="AcquireAsync"/>.</summary>
    public Releaser Acquire(string operation) => AcquireAsync(operation).AsTask().GetAwaiter().GetResult();

    async ValueTask<Releaser> TakeAsync(Hold hold, string operation, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (!await gate.WaitAsync(timeout, cancellationToken)) throw Busy(operation);
        try
        {
            file = await OpenExclusivelyAsync(operation, deadline, cancellationToken);
        }
        catch (Exception e)
        {
            gate.Release();
            // Permissions, a read-only or full file system: said as such, not as a lock to wait for.
            if (StoreProblems.IsEnvironmental(e)) throw StoreProblems.Translate(e, operation);
            throw;
        }
        hold.Held = true;
        hold.Depth = 1;
        hold.Operation = operation;
        // The time in the message lets the multi-process tests check that no two writers ever overlap.
        logger.LogDebug("Model store lock taken to {Operation} at {Time:O}", operation, DateTime.UtcNow);
        return new Releaser(hold);
    }

    async Task<FileStream> OpenExclusivelyAsync(string operation, DateTime deadline, CancellationToken cancellationToken)
    {
        StoreDirectories.Create(System.IO.Path.GetDirectoryName(Path)!);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        while (true)
        {
            try
            {
                var opened = new FileStream(Path, options);
                if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(opened.SafeFileHandle) != OwnerOnly)
                    File.SetUnixFileMode(opened.SafeFileHandle, OwnerOnly); // made by an older version, or by hand
                return opened;
            }
            catch (IOException e) when (!StoreProblems.IsEnvironmental(e) && File.Exists(Path) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(RetryDelay, cancellationToken); // held by another process; flock cannot wait with a timeout
            }
            catch (IOException e) when (!StoreProblems.IsEnvironmental(e) && File.Exists(Path))
            {
                throw Busy(operation, e);
            }
        }
    }

    StoreBusyException Busy(string operation, Exception? inner = null) => new(
        $"Could not {operation}: another process has been writing to the model store for {timeout.TotalSeconds:0.#} s. " +
        "Only one trainer should write to a store at a time; try again shortly.", inner);

    void Release(Hold hold)
    {
        if (--hold.Depth > 0) return;
        hold.Held = false;
        logger.LogDebug("Model store lock released after {Operation} at {Time:O}", hold.Operation, DateTime.UtcNow);
        file!.Dispose();
        file = null;
        gate.Release();
    }

    internal sealed class Hold(StoreLock owner)
    {
        public StoreLock Owner { get; } = owner;
        public bool Held;
        public int Depth;
        public string? Operation;
    }

    public readonly struct Releaser : IDisposable
    {
        readonly Hold hold;
        internal Releaser(Hold hold) => this.hold = hold;
        public void Dispose() => hold.Owner.Release(hold);
    }
}

/// <summary>A write to the model store could not get the store's lock in time; nothing was written.</summary>
public sealed class StoreBusyException(string message, Exception? inner = null) : StoreUnavailableException(message, inner);
