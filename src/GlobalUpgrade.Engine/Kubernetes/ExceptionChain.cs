namespace GlobalUpgrade.Kubernetes;

/// <summary>An exception and its inner exceptions, outermost first: what the HTTP stack wraps around a cause.</summary>
internal static class ExceptionChain
{
    public static IEnumerable<Exception> Of(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>The outermost exception of type <typeparamref name="T"/> in the chain, or null.</summary>
    public static T? Find<T>(Exception ex)
        where T : Exception =>
        Of(ex).OfType<T>().FirstOrDefault();
}
