-- Create a track offer, then delete it, again and again. Each wrk thread
-- (one connection each) uses its own track, so creates never clash.
-- Arguments: the offer id, then the track ids, comma-separated.
local threads = 0

function setup(thread)
   thread:set("index", threads)
   threads = threads + 1
end

function init(args)
   offer = args[1]
   local tracks = {}
   for id in string.gmatch(args[2], "%d+") do
      table.insert(tracks, id)
   end
   track = tracks[index + 1]
   created = nil
end

function request()
   if created then
      local path = "/api/v1/track-offers/" .. created
      created = nil
      return wrk.format("DELETE", path)
   end
   local body = string.format(
      '{"data":{"type":"track-offers","attributes":{"usage":{"copy_scan":false}},'
      .. '"relationships":{"track":{"data":{"type":"tracks","id":"%s"}},'
      .. '"offer":{"data":{"type":"offers","id":"%s"}}}}}',
      track, offer)
   return wrk.format("POST", "/api/v1/track-offers", nil, body)
end

function response(status, headers, body)
   if status == 201 then
      created = string.match(body, '"id":"(%d+)"')
   end
end
