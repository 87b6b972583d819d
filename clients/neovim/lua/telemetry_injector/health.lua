-- :checkhealth telemetry_injector: which Neovim API is used, where the server is found, whether
-- Node runs, and which clients are running. Must never start a server.
local M = {}

-- vim.health.start/ok/... from 0.9, report_* in 0.8, the `health` module in 0.7.
local health = vim.health or require('health')
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

function M.check()
  local plugin = require('telemetry_injector')
  start('telemetry-injector')
  local v = vim.version()
  local api = vim.lsp.enable and 'vim.lsp.config and vim.lsp.enable'
    or vim.lsp.start and 'vim.lsp.start'
    or 'vim.lsp.start_client and buf_attach_client'
  ok(string.format('Neovim %d.%d.%d: starts the server with %s', v.major, v.minor, v.patch, api))

  local root = plugin.root_dir(vim.api.nvim_buf_get_name(0))
  local cmd, problem = plugin.resolve_cmd(root)
  if cmd then
    ok('server command for ' .. root .. ': ' .. table.concat(cmd, ' '))
  else
    error(problem)
  end
  if vim.fn.executable('node') == 1 then
    ok('node: ' .. vim.fn.system({ 'node', '--version' }):gsub('%s+$', ''))
  else
    warn('node is not on PATH: the server needs Node 20.10 or newer')
  end
  local clients = plugin.clients()
  if #clients == 0 then
    info('no telemetry-injector client is running')
  end
  for _, client in ipairs(clients) do
    ok(string.format('client %d running for %s', client.id, client.config.root_dir or '?'))
  end
end

return M
