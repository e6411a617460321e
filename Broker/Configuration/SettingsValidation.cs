using Microsoft.Extensions.Options;

namespace TaskScheduler.Broker.Configuration;

/// <summary>Fails start-up with messages that name the offending configuration keys.</summary>
public sealed class SettingsValidation<T> : IValidateOptions<T>
    where T : class
{
    private readonly Func<T, IEnumerable<string>> _validate;

    public SettingsValidation(Func<T, IEnumerable<string>> validate) => _validate = validate;

    public ValidateOptionsResult Validate(string? name, T options)
    {
        var problems = _validate(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
