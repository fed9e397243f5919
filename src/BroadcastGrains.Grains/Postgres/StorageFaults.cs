using System.Net.Sockets;
using BroadcastGrains.Traces;
using Npgsql;
using Orleans.Serialization;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Tells storage trouble (which a client should retry: 503) from bugs (500). Walks the whole exception chain,
/// because the fault may arrive wrapped by Orleans (a grain call, a grain activation that could not read its
/// state) or by the AdoNet providers.
/// </summary>
public static class StorageFaults
{
    /// <summary>What a client is told to wait before retrying when storage fails or does not answer.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The <see cref="IngestUnavailableException"/> in the chain, or a new one (reason <c>storage</c>) when the chain
    /// holds a storage or connectivity fault; null for anything else, which stays a 500.
    /// </summary>
    public static IngestUnavailableException? AsUnavailable(Exception exception)
    {
        Exception? fault = null;
        foreach (var e in Chain(exception))
        {
            if (e is IngestUnavailableException unavailable) return unavailable;
            if (fault is null && IsFault(e)) fault = e;
        }
        return fault is null ? null
            : new IngestUnavailableException("storage", $"Storage is unavailable ({fault.GetType().Name}); retry shortly.", RetryAfter, fault);
    }

    /// <summary>A fault that says nothing about the data: the database (or the network to it, or a silo) is the trouble.</summary>
    public static bool IsTransient(Exception exception)
    {
        foreach (var e in Chain(exception))
        {
            if (e is IngestUnavailableException or TimeoutException or SocketException or NpgsqlException { IsTransient: true }
                or Orleans.Runtime.OrleansMessageRejectionException)
                return true;
        }
        return false;
    }

    /// <summary>
    /// PostgreSQL refused the data itself (a data exception, an integrity violation, or a statement bug of ours):
    /// trying the same thing again fails the same way.
    /// </summary>
    public static bool IsDataError(Exception exception)
    {
        foreach (var e in Chain(exception))
        {
            if (e is PostgresException { SqlState: [ '2', '2' or '3', ..] or [ '4', '2', ..] }) return true;
        }
        return false;
    }

    private static bool IsFault(Exception e) =>
        e is NpgsqlException or TimeoutException or SocketException or Orleans.Runtime.OrleansMessageRejectionException
        // An Npgsql exception from a grain on another silo whose type that silo's serializer would not rebuild.
        || (e is UnavailableExceptionFallbackException { ExceptionType: { } type } && type.StartsWith("Npgsql.", StringComparison.Ordinal));

    /// <summary>
    /// Lets Orleans carry Npgsql's exceptions through grain calls between silos. By default its exception codec only
    /// takes types of <c>System</c>, <c>Microsoft</c> and <c>Azure</c>, and a storage fault thrown by a grain on another
    /// silo (or carried as the inner exception of an <see cref="IngestUnavailableException"/>) fails the response's
    /// serialization, which would reach the caller as an unrecognisable error, a 500.
    /// </summary>
    public static void CarryOverGrainCalls(ExceptionSerializationOptions options) => options.SupportedNamespacePrefixes.Add("Npgsql");

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>();
        pending.Push(exception);
        var seen = 0;
        while (pending.Count > 0 && seen++ < 32)
        {
            var e = pending.Pop();
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            }
            else if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}
