using Loyalty.Storefront;

var app = StorefrontApp.Build(args);
await app.RunAsync();
