-- Neovim 0.11+: `vim.lsp.enable('telemetry_injector')` reads this file. Settings go in
-- `vim.lsp.config('telemetry_injector', { settings = { telemetryInjector = {...} } })`, or in setup().
return require('telemetry_injector').lsp_config()
