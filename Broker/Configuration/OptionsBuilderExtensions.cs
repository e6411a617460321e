using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TaskScheduler.Broker.Configuration;

public static class OptionsBuilderExtensions
{
    /// <summary>Validates the bound options with a method that lists each problem by its configuration key.</summary>
    public static OptionsBuilder<T> ValidateWith<T>(this OptionsBuilder<T> builder, Func<T, IEnumerable<string>> validate)
        where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new SettingsValidation<T>(validate));
        return builder;
    }
}
