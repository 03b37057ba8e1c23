-- Every key of a Redis database and every value under it, as text, for the leak sweep (test/helpers/services.ts).
local out = {}
local function add(v)
	if type(v) == 'table' then
		for _, x in ipairs(v) do add(x) end
	elseif v ~= nil then
		table.insert(out, tostring(v))
	end
end
for _, key in ipairs(redis.call('KEYS', '*')) do
	local kind = redis.call('TYPE', key).ok
	add(key)
	if kind == 'string' then add(redis.call('GET', key))
	elseif kind == 'hash' then add(redis.call('HGETALL', key))
	elseif kind == 'list' then add(redis.call('LRANGE', key, 0, -1))
	elseif kind == 'set' then add(redis.call('SMEMBERS', key))
	elseif kind == 'zset' then add(redis.call('ZRANGE', key, 0, -1))
	elseif kind == 'stream' then add(redis.call('XRANGE', key, '-', '+'))
	end
end
return table.concat(out, '\n')
