using System.Diagnostics;

namespace BroadcastGrains.Testing;

/// <summary>Runs a command line tool to its end (initdb, pg_ctl, pg_dump, su, chown) and hands back what it printed.</summary>
public static class CommandRunner
{
    /// <summary>
    /// Its standard output; a non-zero exit throws <see cref="InvalidOperationException"/> with what it printed, and
    /// running longer than <paramref name="timeout"/> (default 2 minutes) cancels the wait.
    /// </summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> args, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        // A working directory every user can enter: tools run as the postgres user (su) start there.
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/tmp" };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        return await stdout;
    }
}
