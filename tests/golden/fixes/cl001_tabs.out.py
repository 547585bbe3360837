from capability_client import CapabilityClient, CapabilityError, Capability

client = CapabilityClient()


class Gallery:
	def show(self, user, sticker):
		if sticker:
			try:
				capability = client.check(user, sticker)
			except CapabilityError:
				capability = Capability.static_only()
			return capability.animated
		return False
