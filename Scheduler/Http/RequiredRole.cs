namespace TaskScheduler.Scheduler.Http;

/// <summary>Endpoint metadata: the role a key needs for this endpoint (see <see cref="ApiKeyMiddleware"/>).</summary>
public sealed record RequiredRole(ApiRole Role)
{
    /// <summary>Marks every endpoint built by <paramref name="builder"/> as needing <paramref name="role"/>.</summary>
    public static TBuilder On<TBuilder>(TBuilder builder, ApiRole role)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequiredRole(role));
        return builder;
    }
}
