-- The user commands of telemetry-injector. Starting the server is left to
-- require('telemetry_injector').setup(), so that loading the plugin alone starts nothing.
if vim.g.loaded_telemetry_injector then
  return
end
vim.g.loaded_telemetry_injector = true

vim.api.nvim_create_user_command('TelemetryAdd', function()
  require('telemetry_injector').add()
end, { desc = 'Add telemetry to every function of the current file' })
vim.api.nvim_create_user_command('TelemetryRemove', function()
  require('telemetry_injector').remove()
end, { desc = 'Remove telemetry from the current file' })
vim.api.nvim_create_user_command('TelemetryScan', function()
  require('telemetry_injector').scan()
end, { desc = 'Scan the workspace for functions without telemetry' })
vim.api.nvim_create_user_command('TelemetryRestart', function()
  require('telemetry_injector').restart()
end, { desc = 'Restart the telemetry-injector server (also after it failed)' })
