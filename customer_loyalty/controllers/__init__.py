from . import portal
from . import portal_birthdate
from . import portal_package
